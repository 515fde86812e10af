/** How the relay names itself to Git servers: GitHub refuses a request without a User-Agent. */
export const USER_AGENT = 'codestream-webhook-relay';

/**
 * One HTTP request that sets a commit status (or obtains what it needs, a GitHub App's installation
 * token): what each provider's mapping builds, pure, and HttpStatusPoster sends. The headers hold
 * the credential, so a request is never logged or put in a reason.
 */
export interface StatusRequest {
  method: 'post';
  url: string;
  headers: Record<string, string>;
  /** Sent as JSON. */
  body: Record<string, string>;
}
