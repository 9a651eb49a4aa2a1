import { check, Rules } from './validation';

/**
 * Properties of a {@link DockerImage}.
 */
export interface DockerImageProps {
  /**
   * Image repository, without tag: `todo-backend` or `registry.example.com/team/todo-backend`.
   */
  readonly name: string;

  /**
   * Image tag.
   *
   * @default 'latest'
   */
  readonly tag?: string;

  /**
   * The image the Dockerfile starts from (documentation and build plan only).
   */
  readonly baseImage: string;

  /**
   * The port the containerized server listens on (`EXPOSE` in the Dockerfile).
   * The container port, Service target and probes are all derived from it.
   */
  readonly port: number;

  /**
   * Build context directory, relative to the application's repository root.
   */
  readonly buildContext: string;

  /**
   * Build arguments (`docker build --build-arg KEY=VALUE`), for values baked
   * into the image at build time.
   *
   * @default - none
   */
  readonly buildArgs?: { readonly [name: string]: string };
}

/**
 * The Docker Image entity of the design: what to build, from where, and the
 * port it serves on.
 *
 * A value, not a construct: the same image can be described once and used by
 * the Deployment (image reference and container port) and by the build plan
 * (`dist/build-images.sh`).
 *
 * @example
 * const image = new DockerImage({
 *   name: 'todo-backend',
 *   tag: 'v1.2.0',
 *   baseImage: 'python:3.12-slim',
 *   port: 8000,
 *   buildContext: 'backend/',
 * });
 * image.reference; // 'todo-backend:v1.2.0'
 */
export class DockerImage {
  /** Image repository, without tag. */
  public readonly name: string;
  /** Image tag. */
  public readonly tag: string;
  /** The image the Dockerfile starts from. */
  public readonly baseImage: string;
  /** The port the server in the image listens on. */
  public readonly port: number;
  /** Build context directory. */
  public readonly buildContext: string;
  /** Build arguments, sorted by name. */
  public readonly buildArgs: { readonly [name: string]: string };

  /**
   * @param props what the image is
   * @param setting the name of the setting this image comes from, used in error messages
   */
  constructor(props: DockerImageProps, setting = 'image') {
    this.name = check(`${setting}.name`, props.name, Rules.imageRepository);
    this.tag = check(`${setting}.tag`, props.tag ?? 'latest', Rules.imageTag);
    this.baseImage = check(`${setting}.baseImage`, props.baseImage, Rules.nonEmpty);
    this.port = check(`${setting}.port`, props.port, Rules.port);
    this.buildContext = check(`${setting}.buildContext`, props.buildContext, Rules.nonEmpty);
    const given = props.buildArgs ?? {};
    const args: { [name: string]: string } = {};
    for (const key of Object.keys(given).sort()) {
      check(`${setting}.buildArgs`, key, Rules.envName);
      args[key] = check(`${setting}.buildArgs.${key}`, given[key], Rules.nonEmpty);
    }
    this.buildArgs = Object.freeze(args);
  }

  /** The full reference, `name:tag`. */
  public get reference(): string {
    return imageReference(this.name, this.tag);
  }

  /** A copy of this image with some properties changed. */
  public with(changes: Partial<DockerImageProps>, setting = 'image'): DockerImage {
    return new DockerImage(
      {
        name: changes.name ?? this.name,
        tag: changes.tag ?? this.tag,
        baseImage: changes.baseImage ?? this.baseImage,
        port: changes.port ?? this.port,
        buildContext: changes.buildContext ?? this.buildContext,
        buildArgs: changes.buildArgs ?? this.buildArgs,
      },
      setting,
    );
  }
}

/** @internal An image's full reference: `name:tag`. */
export function imageReference(name: string, tag: string): string {
  return `${name}:${tag}`;
}

/**
 * @internal
 * The `docker build` command that builds an image: the one form that the
 * build script (lib/build-script.ts), the deploy flow (lib/deploy/deploy.ts)
 * and the charts' NOTES.txt (lib/features/image.ts) write. Its options in
 * order, each a list of words: `docker build`, `--tag <tag>`, one
 * `--build-arg <key>=<value>` per build argument, the build context last.
 *
 * Each caller spells the words where it writes them: `spell` is applied to
 * the tag and to each build argument's `<key>=<value>` (a shell's quoting in
 * the build script; as they are for a process's arguments and in NOTES.txt,
 * where template actions stand for them); `context` is given as written.
 */
export function dockerBuildCommand(
  tag: string,
  buildArgs: ReadonlyArray<readonly [string, string]>,
  context: string,
  spell: (word: string) => string = (word) => word,
): string[][] {
  return [
    ['docker', 'build'],
    ['--tag', spell(tag)],
    ...buildArgs.map(([key, value]) => ['--build-arg', spell(buildArg(key, value))]),
    [context],
  ];
}

/** @internal A build argument as `docker build --build-arg` takes it: `KEY=value`. */
export function buildArg(key: string, value: string): string {
  return `${key}=${value}`;
}
