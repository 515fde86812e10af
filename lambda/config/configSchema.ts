import { EVENT_KINDS } from '../events/CanonicalEvent';
import { ADAPTERS } from '../providers/registry';

type Schema = Record<string, unknown>;

const NAME = '^[A-Za-z0-9][A-Za-z0-9._-]*$';

const patternList = (what: string, example: string): Schema => ({
  type: 'array',
  minItems: 1,
  items: { type: 'string', minLength: 1 },
  description: `${what}: globs (${example}) or /regular expressions/; a leading ! excludes. Matches when one pattern matches and no excluding one does.`,
});

const templated = (what: string): Schema => ({
  type: 'string',
  description: `${what}. A template: \${event.git.branch}, \${body.some.field}, \${headers["x-header"]}, \${path:-default}; $$ for a literal $.`,
});

/** The providers whose sources may go without a secret. */
const SECRET_OPTIONAL = Object.values(ADAPTERS)
  .filter((adapter) => !adapter.requiresSecret)
  .map((adapter) => adapter.name)
  .join(', ');

/** A CA list or a proxy, as `codestream` takes them, for another server the relay calls. */
const caCertificatesSchema = (whose: string): Schema => ({
  oneOf: [
    { type: 'string', minLength: 1 },
    { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
  ],
  description: `CA certificates that ${whose} certificate chains to (a private CA), trusted besides the public CAs: paths to PEM files (relative to this file) or inline PEM. Bundled with the function at synth.`,
});
const proxySchema = (calls: string): Schema => ({
  description: `Proxy for every ${calls}, winning over HTTPS_PROXY/HTTP_PROXY/NO_PROXY: a URL such as http://proxy.example.com:3128, or false to connect directly.`,
  oneOf: [
    { type: 'string', format: 'uri', pattern: '^https?://' },
    { type: 'boolean', const: false },
  ],
});

const sourceSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['provider', 'secrets'],
  properties: {
    provider: { type: 'string', enum: Object.keys(ADAPTERS), description: 'Who sends the webhooks.' },
    secrets: {
      type: 'array',
      maxItems: 2,
      items: { type: 'string', minLength: 1 },
      description: `Names of Secrets Manager secrets holding the webhook secret: the current one first, then the previous one while rotating. Empty only for a provider whose events may reach the queue by another route than the webhook: ${SECRET_OPTIONAL}.`,
    },
    options: { type: 'object', description: "Provider-specific options; see the provider's section in docs/providers.md." },
    replayWindowHours: {
      type: 'number',
      minimum: 0,
      description:
        'How long a body this source delivered is remembered (default 24): the same body again under another delivery id is a repeat of the first delivery, and a rule whose execution that one created does not run again. 0 turns it off.',
    },
    report: {
      type: 'object',
      additionalProperties: false,
      required: ['secret'],
      description:
        "How the relay posts commit statuses to this source's Git server, for rules with `report` (GitHub, GitLab, Bitbucket Cloud and Data Center, Gitea, Forgejo): see docs/reporting.md.",
      properties: {
        secret: { type: 'string', minLength: 1, description: 'Secrets Manager secret holding the credential: a token, {"username","appPassword"} (Bitbucket Cloud) or {"appId","privateKey","installationId"} (a GitHub App).' },
        apiUrl: {
          type: 'string',
          format: 'uri',
          pattern: '^https?://',
          description: "The Git server's API, e.g. https://github.example.com/api/v3 (default: the cloud service's, else derived from the repository's URL).",
        },
        caCertificates: caCertificatesSchema("the Git server's"),
        proxy: proxySchema('status posted to this Git server'),
      },
    },
  },
  allOf: Object.values(ADAPTERS).map((adapter) => ({
    if: { properties: { provider: { const: adapter.name } }, required: ['provider'] },
    then: { properties: { options: adapter.optionsSchema } },
  })),
};

const whenSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  description: 'Every condition given must hold. None given: every delivery matches.',
  properties: {
    sources: { type: 'array', minItems: 1, items: { type: 'string', pattern: NAME }, description: 'Names of sources (default: all).' },
    events: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: [...EVENT_KINDS] },
      description: 'Canonical event kinds.',
    },
    repositories: patternList('Git repository full names', 'acme/*'),
    branches: patternList('Branches pushed', 'main, release/*'),
    tags: patternList('Git tags pushed', 'v*'),
    actions: patternList("The provider's action (pull requests: opened, synchronize, merge, …)", 'opened'),
    targetBranches: patternList('Pull request target branches', 'main'),
    paths: {
      type: 'object',
      additionalProperties: false,
      minProperties: 1,
      description: 'Changed files, for pushes whose provider lists them.',
      properties: {
        include: patternList('Paths that make the push count', 'src/**'),
        exclude: patternList('Paths that do not', 'docs/**, *.md'),
        prefer: {
          type: 'string',
          enum: ['exclude', 'include'],
          default: 'exclude',
          description: "Which list wins when a push touches both (Code Stream's prioritizeExclusion): exclude means any excluded file stops the rule.",
        },
      },
    },
    registries: patternList('Registry hosts', 'harbor.example.com'),
    namespaces: patternList('Registry namespaces, projects or owners', 'library'),
    images: patternList('Images as namespace/repository', 'library/*'),
    imageTags: patternList('Image tags', 'v*'),
    expression: { type: 'string', minLength: 1, description: 'A CEL expression over event, body, headers and query that must be true.' },
  },
};

const ruleSchema: Schema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'pipeline'],
  properties: {
    name: { type: 'string', pattern: NAME, description: 'Unique; used in logs, tags and idempotency records.' },
    description: { type: 'string' },
    when: whenSchema,
    pipeline: {
      description: 'The pipeline to execute: by id, or by project and name.',
      oneOf: [
        { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string', minLength: 1 } } },
        {
          type: 'object',
          additionalProperties: false,
          required: ['project', 'name'],
          properties: { project: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
        },
      ],
    },
    input: {
      type: 'object',
      propertyNames: { minLength: 1 },
      additionalProperties: templated('An input value'),
      description: 'Pipeline inputs, added to (or overriding) the native-trigger inputs.',
    },
    nativeInput: {
      type: 'boolean',
      default: true,
      description: "Send the GIT_* / DOCKER_* inputs that Code Stream's native triggers inject.",
    },
    comments: templated('The execution comments (default: a sentence describing the event)'),
    tags: { type: 'array', items: templated('A tag'), description: 'Execution tags; `delivery:<id>` is always added.' },
    source: templated('The execution source (default: webhook-relay:<source name>)'),
    report: {
      description:
        "Post the execution's state to the commit on the Git server: pending when it starts, success or failure when it ends, with a link (true, or {context}: the status's name, default codestream/<rule name>). The source needs `report`: see docs/reporting.md.",
      oneOf: [
        { type: 'boolean' },
        {
          type: 'object',
          additionalProperties: false,
          properties: { context: { type: 'string', minLength: 1, maxLength: 100, description: 'The status\'s name on the commit (GitHub context, GitLab name, Bitbucket key and name).' } },
        },
      ],
    },
    quietPeriod: {
      type: 'object',
      additionalProperties: false,
      description:
        "Wait after an event, then run only the newest event per key, as Code Stream's trigger delay and Jenkins's quiet period do. " +
        'Give exactly one of minutes and seconds (at most 24 hours). The window opens at the first event and is due a quiet period later, ' +
        'however many events join it; the newest by the time the relay received it runs, the others are recorded as superseded.',
      // Minutes unless seconds: a period given in neither reads as minutes missing.
      if: { not: { required: ['seconds'] } },
      then: { required: ['minutes'] },
      properties: {
        minutes: { type: 'integer', minimum: 1, maximum: 1440, description: 'The quiet period in minutes (1 to 1440).' },
        seconds: { type: 'integer', minimum: 1, maximum: 86400, description: 'The quiet period in seconds (1 to 86400).' },
        key: {
          type: 'array',
          minItems: 1,
          items: templated('One part of the key'),
          description:
            'What makes events one window: templates, e.g. ["${event.source}", "${event.git.repository.fullName}"]. Default: the source, the repository (or image) and the branch (or tag, or pull request number).',
        },
      },
    },
  },
};

/** The JSON Schema of `relay.config.yaml`, published as relay.config.schema.json. */
export const CONFIG_SCHEMA: Schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'https://codestream-webhook-relay/relay.config.schema.json',
  title: 'Code Stream webhook relay configuration',
  type: 'object',
  additionalProperties: false,
  required: ['codestream', 'sources', 'rules'],
  properties: {
    $schema: { type: 'string', description: 'For editors: the path or URL of this schema.' },
    codestream: {
      type: 'object',
      additionalProperties: false,
      required: ['url', 'auth', 'secret'],
      description: 'The Aria Automation (Code Stream) the relay starts pipelines on.',
      properties: {
        url: { type: 'string', format: 'uri', pattern: '^https?://', description: 'Base URL, e.g. https://vra.example.com.' },
        auth: {
          type: 'string',
          enum: ['refreshToken', 'apiToken'],
          description: 'refreshToken: on premises (POST /iaas/api/login); apiToken: cloud (CSP api-tokens/authorize).',
        },
        secret: { type: 'string', minLength: 1, description: 'Secrets Manager secret holding {"refreshToken": "…"} or {"apiToken": "…"}.' },
        apiVersion: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Sent as ?apiVersion=, e.g. 2019-10-17.' },
        authorizeUrl: { type: 'string', format: 'uri', description: "With apiToken: CSP's authorize URL, if not the public one." },
        caCertificates: caCertificatesSchema("Code Stream's"),
        proxy: proxySchema('Code Stream call'),
      },
    },
    sources: {
      type: 'object',
      propertyNames: { pattern: NAME },
      additionalProperties: sourceSchema,
      description: 'Webhook sources by name; each receives at POST /hooks/{name}.',
    },
    rules: { type: 'array', items: ruleSchema, description: 'Every rule a delivery matches starts its pipeline.' },
  },
};
