import { generateKeyPairSync, verify } from 'node:crypto';
import { githubAppJwt } from '../../../lambda/status/githubAppJwt';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const NOW = Date.parse('2026-11-28T10:00:00.750Z');

function decode(part: string | undefined): Record<string, unknown> {
  return JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
}

it('is an RS256 JWT whose signature the app’s public key verifies', () => {
  const jwt = githubAppJwt('123456', PEM, NOW);
  const [header, claims, signature] = jwt.split('.');
  expect(decode(header)).toEqual({ alg: 'RS256', typ: 'JWT' });
  expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey;
  expect(verify('sha256', Buffer.from(`${header}.${claims}`), other, Buffer.from(signature ?? '', 'base64url'))).toBe(false);
});

it('was issued 60 s ago, expires within 10 minutes of now, and names the app (a number for a numeric id)', () => {
  const claims = decode(githubAppJwt('123456', PEM, NOW).split('.')[1]);
  const now = Math.floor(NOW / 1000);
  expect(claims.iat).toBe(now - 60);
  expect(claims.exp).toBeGreaterThan(now);
  expect(claims.exp as number).toBeLessThanOrEqual(now + 600);
  expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(600);
  expect(claims.iss).toBe(123456);
});

it('names the app by its client id as a string', () => {
  expect(decode(githubAppJwt('Iv23liAbCdEf', PEM, NOW).split('.')[1]).iss).toBe('Iv23liAbCdEf');
});

it('signs with a PKCS#8 key too', () => {
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const [header, claims, signature] = githubAppJwt('1', pkcs8, NOW).split('.');
  expect(verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(true);
});
