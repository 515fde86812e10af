import { parseConfig } from '../../../lambda/config/loadConfig';
import { createTestCertificates } from '../../support/testCertificates';
import { configProblems } from '../../support/configProblems';

const FILE = 'relay.config.yaml';

function config(sources: string, rules: string): string {
  return `codestream: { url: "https://vra.example.com", auth: refreshToken, secret: codestream/relay }
sources:
${sources}
rules:
${rules}
`;
}

const problems = (text: string): string[] => configProblems(text, FILE);

const GITHUB = '  github: { provider: github, secrets: [webhooks/github], report: { secret: status/github } }';
const HARBOR = '  harbor: { provider: harbor, secrets: [webhooks/harbor] }';

describe('report, on a rule and on its sources', () => {
  it('compiles a rule’s report with its context, codestream/<rule> by default', () => {
    const { engine, config: loaded } = parseConfig(
      config(GITHUB, `  - { name: build, pipeline: { id: p }, report: true }\n  - { name: deploy, pipeline: { id: p }, report: { context: ci/deploy } }\n  - { name: quiet, pipeline: { id: p } }`),
      FILE,
    );
    expect(['build', 'deploy', 'quiet'].map((name) => engine.rule(name)?.report)).toEqual([{ context: 'codestream/build' }, { context: 'ci/deploy' }, undefined]);
    expect(loaded.sources.github?.report).toEqual({ secret: 'status/github' });
  });

  it('refuses a rule with report that no reporting source can trigger, naming the sources', () => {
    expect(problems(config(`${GITHUB}\n${HARBOR}`, '  - { name: images, when: { sources: [harbor] }, pipeline: { id: p }, report: true }'))).toEqual([
      expect.stringMatching(/^relay\.config\.yaml:\d+:\d+: rule "images": rules\[0\]\.report: no source this rule matches \(harbor\) has a report block: give its Git server's credential/),
    ]);
  });

  it('refuses a report block on a source whose server takes no commit status', () => {
    expect(problems(config('  hub: { provider: dockerhub, secrets: [webhooks/hub], report: { secret: s } }', '  - { name: a, pipeline: { id: p } }'))).toEqual([
      expect.stringMatching(/sources\.hub\.report: a dockerhub source takes no commit status: reporting works for github, gitlab, bitbucket-cloud, bitbucket-server, gitea, forgejo$/),
    ]);
  });

  it('refuses what the schema does not know: a report without its secret, an unknown key, a bad API URL', () => {
    expect(problems(config('  github: { provider: github, secrets: [w], report: { apiUrl: "ftp://x", token: t } }', '  - { name: a, pipeline: { id: p }, report: { name: x } }'))).toEqual(
      expect.arrayContaining([
        expect.stringContaining('sources.github.report'),
        expect.stringContaining('rules[0].report'),
      ]),
    );
  });

  it('reads the Git server’s CA certificates as it reads Code Stream’s: the loaded config holds the PEM', () => {
    const certificates = createTestCertificates();
    try {
      const { config: loaded } = parseConfig(
        config(`  github: { provider: github, secrets: [w], report: { secret: s, caCertificates: ${JSON.stringify(certificates.caCertificate)} } }`, '  - { name: a, pipeline: { id: p }, report: true }'),
        FILE,
      );
      expect(loaded.sources.github?.report?.caCertificates).toEqual([certificates.caCertificate.trim()]);
      expect(problems(config('  github: { provider: github, secrets: [w], report: { secret: s, caCertificates: ./missing.pem } }', '  - { name: a, pipeline: { id: p } }'))).toEqual([
        expect.stringMatching(/sources\.github\.report\.caCertificates: cannot read the CA certificate file \.\/missing\.pem/),
      ]);
    } finally {
      certificates.remove();
    }
  });
});
