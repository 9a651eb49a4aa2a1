import { AppComponent } from './app-component';
import { dockerBuildCommand } from './docker-image';

/** Quotes a string for POSIX shells. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Where the built images go. */
export enum BuildTarget {
  /** Into Minikube's Docker daemon, where the pods find them without a registry. */
  MINIKUBE = 'minikube',
  /** Into the current Docker daemon, then pushed to the images' registry (for a multi-node cluster). */
  REGISTRY = 'registry',
}

const HEADERS: { readonly [target in BuildTarget]: readonly string[] } = {
  [BuildTarget.MINIKUBE]: [
    '# Builds the Todo app\'s images into Minikube\'s Docker daemon, where the pods',
    '# find them without a registry (imagePullPolicy IfNotPresent).',
  ],
  [BuildTarget.REGISTRY]: [
    '# Builds the Todo app\'s images and pushes them to their registry, where the',
    '# cluster\'s nodes pull them. Log in first (docker login <registry>).',
  ],
};

/**
 * Points `docker` at Minikube's Docker daemon, or stops. `eval "$(minikube
 * docker-env)"` alone would swallow a failure (the exit status of a command
 * substitution inside `eval`'s argument is lost, even under `set -e`) and
 * build into whatever daemon is current, where the pods never find the
 * images. `--shell bash` because minikube otherwise guesses the syntax from
 * the user's `$SHELL` (fish, PowerShell...).
 */
const MINIKUBE_DOCKER_ENV: readonly string[] = [
  'if [ "${USE_CURRENT_DOCKER:-0}" != 1 ]; then',
  '  profile="${MINIKUBE_PROFILE:-minikube}"',
  '  start="minikube start"',
  '  [ "${profile}" = minikube ] || start="minikube start -p ${profile}"',
  '  no_minikube() {',
  '    echo "build-images.sh: $1; not building into another Docker daemon." >&2',
  '    echo "Run: ${start}   and then this script again (USE_CURRENT_DOCKER=1 builds with the current Docker daemon instead)." >&2',
  '    exit 1',
  '  }',
  '  command -v minikube >/dev/null 2>&1 || no_minikube "minikube is not on PATH (install it: https://minikube.sigs.k8s.io)"',
  '  docker_env="$(minikube -p "${profile}" docker-env --shell bash)" \\',
  '    || no_minikube "cannot reach the Docker daemon of Minikube profile \'${profile}\' (minikube docker-env failed; is it running?)"',
  '  case "${docker_env}" in',
  '    *DOCKER_HOST=*) eval "${docker_env}" ;;',
  '    *) no_minikube "minikube docker-env printed no DOCKER_HOST for profile \'${profile}\'" ;;',
  '  esac',
  'fi',
];

/**
 * The image build plan as a bash script: builds each component's image with
 * its tag, build context and build arguments (for the frontend, the
 * `NEXT_PUBLIC_*` URLs derived from the Services or the Ingress), into
 * Minikube's Docker daemon or, for a cluster, pushed to a registry.
 *
 * The script takes the Todo app's repository as its first argument (default:
 * the current directory). For Minikube, `MINIKUBE_PROFILE` picks the profile
 * and `USE_CURRENT_DOCKER=1` builds with the current Docker daemon instead;
 * otherwise the script stops, saying to run `minikube start`, when Minikube
 * is not installed or its Docker daemon cannot be reached.
 */
export function renderBuildScript(components: readonly AppComponent[], target = BuildTarget.MINIKUBE): string {
  const minikube = target === BuildTarget.MINIKUBE;
  const lines = [
    '#!/usr/bin/env bash',
    ...HEADERS[target],
    '# Written by `npm run synth`: tags and build arguments follow the manifests',
    '# beside this file; synthesize again after changing a setting.',
    '#',
    '# Usage: bash build-images.sh [TODO_APP_DIR]',
    '#   TODO_APP_DIR          the Todo app repository (holding backend/ and frontend/); default: .',
    ...(minikube ? [
      '#   MINIKUBE_PROFILE      the Minikube profile; default: minikube',
      '#   USE_CURRENT_DOCKER=1  build with the current Docker daemon instead of Minikube\'s',
    ] : []),
    'set -euo pipefail',
    '',
    'app_dir="${1:-.}"',
    ...(minikube ? MINIKUBE_DOCKER_ENV : []),
  ];
  for (const component of components) {
    const image = component.image;
    const context = image.buildContext.replace(/^\.\//, '');
    // One option a line; the words quoted, the context under the script's argument.
    const build = dockerBuildCommand(image.reference, Object.entries(image.buildArgs), `"\${app_dir}/"${shellQuote(context)}`, shellQuote);
    lines.push(
      '',
      `echo ${shellQuote(`Building ${image.reference} from ${context} (${component.role})`)}`,
      build.map((words) => words.join(' ')).join(' \\\n  '),
      ...(minikube ? [] : [`docker push ${shellQuote(image.reference)}`]),
    );
  }
  lines.push('');
  return lines.join('\n');
}
