import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

type Answer = { secretString: string } | { status: number; type: string; message: string };

/**
 * A loopback stand-in for AWS Secrets Manager's GetSecretValue (AWS JSON 1.1), so tests drive the
 * real SDK over real HTTP. No Secrets Manager emulator exists on npm.
 */
export class SecretsManagerStub {
  readonly #secrets = new Map<string, Answer>();
  readonly reads: string[] = [];
  #server?: Server;
  #url = '';

  set(secretId: string, answer: Answer): void {
    this.#secrets.set(secretId, answer);
  }

  async start(): Promise<string> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const target = request.headers['x-amz-target'];
        const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { SecretId: string };
        this.reads.push(SecretId);
        const answer: Answer = this.#secrets.get(SecretId) ?? {
          status: 400,
          type: 'ResourceNotFoundException',
          message: "Secrets Manager can't find the specified secret.",
        };
        response.setHeader('Content-Type', 'application/x-amz-json-1.1');
        if (target !== 'secretsmanager.GetSecretValue') {
          response.writeHead(400).end(JSON.stringify({ __type: 'UnknownOperationException' }));
        } else if ('secretString' in answer) {
          response.writeHead(200).end(
            JSON.stringify({
              ARN: `arn:aws:secretsmanager:us-east-1:123456789012:secret:${SecretId}-AbCdEf`,
              Name: SecretId,
              SecretString: answer.secretString,
              VersionId: 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE',
              VersionStages: ['AWSCURRENT'],
              CreatedDate: 1523477145.713,
            }),
          );
        } else {
          response.writeHead(answer.status).end(JSON.stringify({ __type: answer.type, message: answer.message }));
        }
      });
    });
    this.#server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.#url;
  }

  /** A real SDK client pointed at the stub; one attempt, so a failure shows at once. */
  client(): SecretsManagerClient {
    return new SecretsManagerClient({
      endpoint: this.#url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'stub-secret-access-key' },
      maxAttempts: 1,
    });
  }

  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}
