import { AppComponent, PULL_POLICIES } from '../app-component';
import { ChartParts, ComponentFeature, PodFields } from '../component-feature';
import { buildArg, dockerBuildCommand, imageReference } from '../docker-image';
import { Helm } from '../helm/template';
import { group, leaf, ValuesNode } from '../helm/values';
import { oneOf, Rules } from '../validation';
import { synthesized } from '../helm/escape-hatches';

/**
 * @internal
 * The container's image and pull policy (the design's Docker Image entity):
 * the container fields, the chart's `image` values (repository, tag, pull
 * policy, and the build arguments the image was built with) and their
 * bindings. The tag stays a string in both renderings.
 */
export class Image implements ComponentFeature {
  public readonly name = 'image';

  public pod(c: AppComponent): PodFields {
    return { container: { image: c.image.reference, imagePullPolicy: c.imagePullPolicy } };
  }

  public values(c: AppComponent): { [key: string]: ValuesNode } {
    const image = c.image;
    return {
      image: group('The image (the design\'s Docker Image entity).', {
        repository: leaf('Image repository.', image.name, Rules.imageRepository.schema),
        tag: leaf('Image tag: a string (quote a tag that looks like a number, "1.10", or use --set-string).', image.tag, Rules.imageTag.schema),
        port: leaf('The port the server in the image listens on: the container port named "http".', Image.patchedPort(c) ?? image.port, Rules.port.schema),
        pullPolicy: leaf('IfNotPresent: images built into Minikube\'s Docker daemon are used as they are.', c.imagePullPolicy, oneOf(PULL_POLICIES).schema),
        buildArgs: leaf(
          Object.keys(image.buildArgs).length > 0
            ? 'Build arguments the image was built with (baked into its JavaScript bundle).\nThey must match the URLs users reach the services at; NOTES.txt prints the build command.'
            : 'Build arguments the image was built with.',
          image.buildArgs,
          { type: 'object', propertyNames: Rules.envName.schema, additionalProperties: Rules.nonEmpty.schema },
        ),
      }),
    };
  }

  /**
   * The container port a JSON patch set, which the chart's `image.port`
   * then holds (probes and the Service reach it by its name). A patched
   * image or pull policy is not carried: the chart's labels and lint
   * exceptions follow the image's tag and policy, so it is reported
   * (`TodoHelmChart.divergences`) and set through the props instead.
   */
  private static patchedPort(c: AppComponent): number | undefined {
    const port = (c.deployment === undefined ? undefined : synthesized(c.deployment))?.spec?.template?.spec?.containers?.[0]?.ports?.[0]?.containerPort;
    return port !== c.image.port && Rules.port.test(port) ? port : undefined;
  }

  public chart(c: AppComponent): ChartParts {
    const container = 'spec.template.spec.containers.0';
    // The build command of the build script and the deploy flow, with template actions for the tag and a build
    // argument; that argument's option is repeated for each of the values' build arguments.
    const [key, value] = ['{{ $key }}', '{{ $value }}'];
    const eachBuildArg = 'range $key, $value := .Values.image.buildArgs';
    const build = dockerBuildCommand(imageReference('{{ .Values.image.repository }}', '{{ .Values.image.tag }}'), [[key, value]], c.image.buildContext)
      .map((words) => words.join(' '))
      .map((option, i) => (option.includes(key) ? `{{ ${eachBuildArg} }} ${option}{{ end }}` : `${i === 0 ? '' : ' '}${option}`))
      .join('');
    return {
      carried: Image.patchedPort(c) === undefined ? [] : [`${container}.ports.0.containerPort`],
      notes: [{
        when: '.Values.image.buildArgs',
        lines: [
          '#. The image must be built with the URLs users reach the app at (they are baked',
          '   into its JavaScript bundle):',
          `{{- ${eachBuildArg} }}`,
          `     ${buildArg(key, value)}`,
          '{{- end }}',
          '   eval $(minikube docker-env)',
          `   ${build}`,
          '   When the backend\'s NodePort or the node address changes, set image.buildArgs',
          '   to match, rebuild, and upgrade this release.',
        ],
      }],
      deployment: [
        { path: `${container}.image`, expr: Helm.scalar(`{{ printf ${JSON.stringify(imageReference('%s', '%s'))} .Values.image.repository (toString .Values.image.tag) | quote }}`) },
        { path: `${container}.ports.0.containerPort`, expr: Helm.scalar('{{ .Values.image.port | int }}') },
        { path: `${container}.imagePullPolicy`, expr: Helm.scalar('{{ .Values.image.pullPolicy | quote }}') },
      ],
    };
  }
}
