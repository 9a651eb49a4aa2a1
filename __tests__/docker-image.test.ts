import { DockerImage } from '../lib/docker-image';

const props = { name: 'todo-backend', baseImage: 'python:3.12-slim', port: 8000, buildContext: 'backend/' };

describe('DockerImage', () => {
  test('reference is name:tag, tag defaults to latest', () => {
    expect(new DockerImage(props).reference).toBe('todo-backend:latest');
    expect(new DockerImage({ ...props, tag: 'v1' }).reference).toBe('todo-backend:v1');
  });

  test('with() copies and changes; build args are sorted', () => {
    const image = new DockerImage(props).with({ tag: 'v2', buildArgs: { B: '2', A: '1' } });
    expect(image.reference).toBe('todo-backend:v2');
    expect(Object.keys(image.buildArgs)).toEqual(['A', 'B']);
    expect(image.port).toBe(8000);
  });

  describe('fails when', () => {
    test.each([
      ['the name has a tag', { name: 'a:b' }, "'image.name' must be an image repository"],
      ['the tag is malformed', { tag: 'a b' }, "'image.tag' must be an image tag"],
      ['the port is 0', { port: 0 }, "'image.port' must be an integer between 1 and 65535, got 0"],
      ['the build context is empty', { buildContext: '' }, "'image.buildContext' must be a non-empty string, got \"\""],
      ['the base image is empty', { baseImage: '' }, "'image.baseImage' must be a non-empty string"],
      ['a build arg name is invalid', { buildArgs: { 'A-B': 'x' } }, "'image.buildArgs' must be an environment variable name"],
      ['a build arg is empty', { buildArgs: { A: '' } }, "'image.buildArgs.A' must be a non-empty string"],
    ])('%s', (_n, change, message) => {
      expect(() => new DockerImage({ ...props, ...change })).toThrow(message);
    });
  });
});
