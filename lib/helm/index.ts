export * from './template';
export * from './values';
export * from './chart-values';
export * from './todo-helm-chart';
export * from './helmfile';
