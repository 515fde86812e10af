import { text } from '../json';
import type { ProviderAdapter } from '../types';
import { type Authentication, authenticatedBy, headerToken, queryToken } from './authentication';

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
 * The authentication of a provider whose token travels in a header or the query: the token from
 * the header if the delivery has it, else from the query parameter; the source's options
 * (`tokenHeader`, `tokenQuery`) rename the provider's defaults. A delivery with neither is refused
 * with MissingSignatureError naming both places.
 */
export function urlTokenAuthentication(
  defaults: Required<UrlTokenOptions>,
): Pick<ProviderAdapter, 'optionsSchema' | 'credentialPlaces' | 'authenticate'> {
  return { optionsSchema: URL_TOKEN_OPTIONS_SCHEMA, ...authenticatedBy((options) => urlToken(options, defaults)) };
}

function urlToken(options: Record<string, unknown>, defaults: Required<UrlTokenOptions>): Authentication {
  const header = (text(options, 'tokenHeader') ?? defaults.tokenHeader).toLowerCase();
  const query = text(options, 'tokenQuery') ?? defaults.tokenQuery;
  return {
    credentials: [headerToken(header, `the ${header} header`), queryToken(query)],
    missing: `no token: send the source's secret in the ${header} header or the "${query}" query parameter of the webhook URL`,
  };
}
