import {
  parseScalar,
  parseYamlDocuments,
  YamlSubsetError,
} from './yaml-subset.js';

describe('parseYamlDocuments (the YAML subset of deploy/k8s)', () => {
  it('reads nested mappings and sequences, as Kubernetes manifests write them', () => {
    const yaml = `
# a comment
apiVersion: apps/v1
kind: Deployment
metadata:
  name: lexikon-api   # trailing comment
  labels:
    app.kubernetes.io/name: lexikon-api
spec:
  replicas: 3
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/lexikon-api:0.1.0
          ports:
            - name: http
              containerPort: 3000
          args:
          - --flag
          - "quoted # not a comment"
          securityContext:
            capabilities:
              drop:
                - ALL
      volumes:
        - name: tmp
          emptyDir: {}
      tolerations: []
`;
    expect(parseYamlDocuments(yaml)).toEqual([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: {
          name: 'lexikon-api',
          labels: { 'app.kubernetes.io/name': 'lexikon-api' },
        },
        spec: {
          replicas: 3,
          template: {
            spec: {
              containers: [
                {
                  name: 'api',
                  image: 'registry.example.com/lexikon-api:0.1.0',
                  ports: [{ name: 'http', containerPort: 3000 }],
                  args: ['--flag', 'quoted # not a comment'],
                  securityContext: { capabilities: { drop: ['ALL'] } },
                },
              ],
              volumes: [{ name: 'tmp', emptyDir: {} }],
              tolerations: [],
            },
          },
        },
      },
    ]);
  });

  it('splits documents on ---, skipping empty ones', () => {
    expect(
      parseYamlDocuments('---\na: 1\n---\n# only a comment\n---\nb: two\n'),
    ).toEqual([{ a: 1 }, { b: 'two' }]);
  });

  it('reads sequences of sequences and empty items', () => {
    expect(parseYamlDocuments('a:\n  - - x\n    - y\n  -\n  - z\n')).toEqual([
      { a: [['x', 'y'], null, 'z'] },
    ]);
  });

  it('reads quoted keys', () => {
    expect(parseYamlDocuments("\"a key\": 1\n'it''s': 2\n")).toEqual([
      { 'a key': 1, "it's": 2 },
    ]);
  });

  it('reads a key with nothing after it as null', () => {
    expect(parseYamlDocuments('a:\nb: 1\n')).toEqual([{ a: null, b: 1 }]);
  });

  it.each([
    ['"3000"', '3000'],
    ["'it''s'", "it's"],
    ['"a\\nb \\"q\\""', 'a\nb "q"'],
    ['3000', 3000],
    ['-2', -2],
    ['0.5', 0.5],
    ['true', true],
    ['false', false],
    ['null', null],
    ['~', null],
    ['plain text', 'plain text'],
    ['postgres://u:p@db:5432/x', 'postgres://u:p@db:5432/x'],
    ['250m', '250m'],
  ])('reads the scalar %s', (text, expected) => {
    expect(parseScalar(text)).toEqual(expected);
  });

  it.each([
    ['a: [x, y]', /line 1: unsupported YAML: \[x, y\]/],
    ['a: {b: 1}', /line 1: unsupported YAML/],
    ['a: &anchor x', /line 1: unsupported YAML/],
    ['a: *anchor', /line 1: unsupported YAML/],
    ['a: |\n  text', /line 1: unsupported YAML: \|/],
    ['a: >\n  text', /line 1: unsupported YAML/],
    ['a: !!str x', /line 1: unsupported YAML/],
    ['a: 1\na: 2', /line 2: duplicate key a/],
    ['a:\n\tb: 1', /line 2: tabs are not allowed/],
    ['a: 1\n  b: 2', /line 2: unexpected indentation/],
    ['a: "open', /line 1: malformed double-quoted scalar/],
    ["a: 'open", /line 1: malformed single-quoted scalar/],
    ['a: b: c', /line 1: ambiguous plain scalar/],
    ['a:\n  - x\n  y: 1', /line 3: unexpected indentation/],
    ['a: 1\n...', /line 2: document end markers/],
  ])('rejects %j', (yaml, message) => {
    expect(() => parseYamlDocuments(yaml)).toThrow(YamlSubsetError);
    expect(() => parseYamlDocuments(yaml)).toThrow(message);
  });
});
