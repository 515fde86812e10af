import { MissingSignatureError } from '../errors';
import { text } from '../json';
import type { ProviderAdapter, WebhookRequest } from '../types';
import { verifySharedToken } from './sharedToken';

/**
 * For providers that sign nothing (Docker Hub, Quay, ECR through an API destination): the secret
 * travels in a header, or in the webhook URL's query string. Sources may rename either place.
 */
export interface UrlTokenOptions {
  /** Header carrying the token. */
  tokenHeader?: string;
  /** Query parameter carrying the token. */
  tokenQuery?: string;
}

const URL_TOKEN_OPTIONS_SCHEMA: Record<string, unknown> = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tokenHeader: { type: 'string', minLength: 1, description: 'Header that carries the secret.' },
    tokenQuery: { type: 'string', minLength: 1, description: 'Query parameter of the webhook URL that carries the secret.' },
  },
};

/**
 * The authentication of a provider whose token travels in a header or the query: the places it
 * checks are the places it declares, so redaction cannot miss one the check reads.
 */
export function urlTokenAuthentication(
  defaults: Required<UrlTokenOptions>,
): Pick<ProviderAdapter, 'optionsSchema' | 'credentialPlaces' | 'authenticate'> {
  return {
    optionsSchema: URL_TOKEN_OPTIONS_SCHEMA,
    credentialPlaces(options) {
      const { header, query } = tokenPlaces(options, defaults);
      return { headers: [header], query: [query] };
    },
    authenticate(request, secrets, options) {
      verifyUrlToken(request, secrets, options, defaults);
    },
  };
}

/**
 * Verifies the token from the header if the delivery has it, else from the query parameter; the
 * source's options (`tokenHeader`, `tokenQuery`) rename the provider's defaults.
 * @throws MissingSignatureError naming both places when neither is present.
 */
export function verifyUrlToken(
  request: WebhookRequest,
  secrets: readonly string[],
  options: Record<string, unknown>,
  defaults: Required<UrlTokenOptions>,
): void {
  const { header, query } = tokenPlaces(options, defaults);
  const fromHeader = request.headers[header];
  if (fromHeader !== undefined && fromHeader !== '') return verifySharedToken(fromHeader, secrets, `the ${header} header`);
  const fromQuery = request.query[query];
  if (fromQuery !== undefined && fromQuery !== '') return verifySharedToken(fromQuery, secrets, `the "${query}" query parameter`);
  throw new MissingSignatureError(`no token: send the source's secret in the ${header} header or the "${query}" query parameter of the webhook URL`);
}

/** The header (lower case) and the query parameter that carry the token for a source with these options. */
function tokenPlaces(options: Record<string, unknown>, defaults: Required<UrlTokenOptions>): { header: string; query: string } {
  return { header: (text(options, 'tokenHeader') ?? defaults.tokenHeader).toLowerCase(), query: text(options, 'tokenQuery') ?? defaults.tokenQuery };
}
