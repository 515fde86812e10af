import { createHmac } from 'node:crypto';
import type { SourceDefinition } from '../../lambda/config/RelayConfig';

/** Credential values by place: header names in lower case, query parameter names as sent. */
export interface CredentialPlaces {
  headers: Record<string, string>;
  query: Record<string, string>;
}

/** One way a sender of the provider proves that it knows the source's secret. */
export interface Grant {
  /** The credential for exactly these body bytes, made with `secret`. */
  issue(body: Buffer, secret: string): CredentialPlaces;
  /** An HMAC of the body: a credential issued for other bytes must be refused. Tokens travel beside the body. */
  bindsBody: boolean;
}

/**
 * Where a source's provider reads credentials, and how a genuine sender makes one. The fuzzer
 * strips every one of these places before it sets a credential of its own, so that a random
 * header can neither authenticate a delivery by accident nor spoil a valid one.
 */
export interface CredentialModel {
  headers: string[];
  query: string[];
  grants: Grant[];
  /** The user that Basic credentials must name, where the source configures one: any other is refused. */
  basicUser?: string;
}

/**
 * The credential model of a configured source, from its provider and options (docs/providers.md).
 * An unmodelled provider throws, so a provider added to the example config cannot go unfuzzed.
 */
export function credentialModel(definition: SourceDefinition): CredentialModel {
  const options = definition.options ?? {};
  switch (definition.provider) {
    case 'github':
      return { headers: ['x-hub-signature-256', 'x-hub-signature'], query: [], grants: [...hmac('x-hub-signature-256', 'sha256', 'sha256='), ...hmac('x-hub-signature', 'sha1', 'sha1=')] };
    case 'gitlab':
      return { headers: ['x-gitlab-token'], query: [], grants: [headerToken('x-gitlab-token')] };
    case 'bitbucket-cloud':
      return { headers: ['x-hub-signature'], query: [], grants: hmac('x-hub-signature', 'sha256', 'sha256=') };
    case 'bitbucket-server':
      return {
        headers: ['x-hub-signature', 'authorization'],
        query: [],
        grants: [...hmac('x-hub-signature', 'sha256', 'sha256='), basic(text(options.username))],
        basicUser: text(options.username),
      };
    case 'gitea':
      return { headers: ['x-gitea-signature', 'x-hub-signature-256'], query: [], grants: [...hmac('x-gitea-signature', 'sha256', ''), ...hmac('x-hub-signature-256', 'sha256', 'sha256=')] };
    case 'azure-devops': {
      const tokenHeader = text(options.tokenHeader)?.toLowerCase();
      if (tokenHeader) return { headers: [tokenHeader], query: [], grants: [headerToken(tokenHeader)] };
      return { headers: ['authorization'], query: [], grants: [basic(text(options.username))], basicUser: text(options.username) };
    }
    case 'dockerhub':
    case 'quay':
    case 'gerrit':
      return urlToken(text(options.tokenHeader) ?? 'x-relay-token', text(options.tokenQuery) ?? 'token');
    case 'aws-ecr':
      return urlToken(text(options.tokenHeader) ?? 'x-api-key', text(options.tokenQuery) ?? 'token');
    case 'harbor':
      return { headers: ['authorization'], query: [], grants: [headerToken('authorization'), headerToken('authorization', 'Bearer ')] };
    case 'jfrog-artifactory':
      return {
        headers: ['x-jfrog-event-auth'],
        query: [],
        grants: options.signedPayload === true ? hmac('x-jfrog-event-auth', 'sha256', '') : [headerToken('x-jfrog-event-auth')],
      };
    case 'nexus':
      return { headers: ['x-nexus-webhook-signature'], query: [], grants: hmac('x-nexus-webhook-signature', 'sha1', '') };
    case 'generic':
      return genericModel(options);
    default:
      throw new Error(`the fuzzer has no credential model for provider ${definition.provider}: add one`);
  }
}

function genericModel(options: Record<string, unknown>): CredentialModel {
  const signature = options.signature as Record<string, unknown> | undefined;
  if (signature) {
    const header = String(signature.header).toLowerCase();
    const encoding = signature.encoding === 'base64' ? 'base64' : 'hex';
    return { headers: [header], query: [], grants: hmac(header, text(signature.algorithm) ?? 'sha256', text(signature.prefix) ?? '', encoding) };
  }
  const token = (options.token ?? {}) as Record<string, unknown>;
  const header = text(token.header)?.toLowerCase();
  const query = text(token.query);
  return {
    headers: header ? [header] : [],
    query: query ? [query] : [],
    grants: [...(header ? [headerToken(header)] : []), ...(query ? [queryToken(query)] : [])],
  };
}

/** Hex digests are compared case-insensitively, so upper case must pass as well as lower. */
function hmac(header: string, algorithm: string, prefix: string, encoding: 'hex' | 'base64' = 'hex'): Grant[] {
  const digest = (body: Buffer, secret: string) => createHmac(algorithm, secret).update(body).digest(encoding);
  const grants: Grant[] = [{ bindsBody: true, issue: (body, secret) => ({ headers: { [header]: `${prefix}${digest(body, secret)}` }, query: {} }) }];
  if (encoding === 'hex') {
    grants.push({ bindsBody: true, issue: (body, secret) => ({ headers: { [header]: `${prefix}${digest(body, secret).toUpperCase()}` }, query: {} }) });
  }
  return grants;
}

function headerToken(header: string, prefix = ''): Grant {
  return { bindsBody: false, issue: (_body, secret) => ({ headers: { [header]: `${prefix}${secret}` }, query: {} }) };
}

function queryToken(parameter: string): Grant {
  return { bindsBody: false, issue: (_body, secret) => ({ headers: {}, query: { [parameter]: secret } }) };
}

function basic(username = 'relay'): Grant {
  return { bindsBody: false, issue: (_body, secret) => ({ headers: { authorization: basicCredentials(username, secret) }, query: {} }) };
}

export function basicCredentials(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A token in a header, else in the query: the adapter reads the header first when it has a value. */
function urlToken(header: string, query: string): CredentialModel {
  return { headers: [header.toLowerCase()], query: [query], grants: [headerToken(header.toLowerCase()), queryToken(query)] };
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
