import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** What `codestream.caCertificates` resolved to: one PEM text a certificate, and what is wrong. */
export interface ResolvedCaCertificates {
  certificates: string[];
  /** Each problem with the index of the entry it is about (undefined when the setting is one string). */
  problems: { index?: number; message: string }[];
}

/**
 * Reads `codestream.caCertificates`: each entry inline PEM, or a PEM file's path relative to the
 * config file. Every certificate must parse as X.509, so that a wrong file is found at validate
 * and synth rather than by the first delivery. A file may hold a chain. An expired CA is left to
 * the TLS handshake, whose outcome says so: the functions load this config too, and must not fail
 * to start on a date.
 */
export function resolveCaCertificates(setting: string | string[], configFile: string): ResolvedCaCertificates {
  const entries = Array.isArray(setting) ? setting : [setting];
  const resolved: ResolvedCaCertificates = { certificates: [], problems: [] };
  entries.forEach((entry, position) => {
    const index = Array.isArray(setting) ? position : undefined;
    const problem = (message: string) => resolved.problems.push({ index, message });
    const inline = entry.includes('-----BEGIN');
    let text = entry;
    const where = inline ? 'the inline PEM' : entry;
    if (!inline) {
      try {
        text = readFileSync(path.resolve(path.dirname(configFile), entry), 'utf8');
      } catch (error) {
        problem(`cannot read the CA certificate file ${entry}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return;
      }
    }
    const blocks = text.match(PEM_BLOCK) ?? [];
    if (blocks.length === 0) problem(`${where} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch {
        problem(`${where} holds a certificate that cannot be parsed`);
        continue;
      }
      resolved.certificates.push(block);
    }
  });
  return resolved;
}
