'use strict';
// The FLOOR of budget (a): a hello-world cdk8s-plus-28 app, one Deployment and
// one Service. bench/run.js copies this file as main.js into a temp directory
// and resolves cdk8s and cdk8s-plus-28 from the project's node_modules (NODE_PATH).
const { App, Chart } = require('cdk8s');
const kplus = require('cdk8s-plus-28');

const app = new App();
const chart = new Chart(app, 'hello');
const deployment = new kplus.Deployment(chart, 'web', {
  replicas: 1,
  containers: [{ image: 'nginx:1.27', portNumber: 80, securityContext: { ensureNonRoot: false } }],
});
deployment.exposeViaService({ ports: [{ port: 80, targetPort: 80 }] });
app.synth();
