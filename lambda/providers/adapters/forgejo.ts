import type { ProviderAdapter } from '../types';
import { giteaFamilyAdapter } from './gitea';

/**
 * Forgejo: a fork of Gitea that sends Gitea's bodies and, besides its own `X-Forgejo-*` headers,
 * all of Gitea's. Signed with `X-Forgejo-Signature` (hex HMAC-SHA256, no prefix), else
 * `X-Gitea-Signature`, else `X-Hub-Signature-256`; `X-Forgejo-*` headers are read before `X-Gitea-*`.
 */
export const forgejo: ProviderAdapter = giteaFamilyAdapter({ name: 'forgejo', label: 'Forgejo', prefixes: ['X-Forgejo', 'X-Gitea'] });
