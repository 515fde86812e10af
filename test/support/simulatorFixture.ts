import { CodeStreamSimulator, type SimulatorOptions } from '../../local/codestream-simulator/CodeStreamSimulator';
import type { SimulatorSeed } from '../../local/codestream-simulator/seed';
import type { CredentialSource } from '../../lambda/codestream/credentials';

export const REFRESH_TOKEN = 'test-refresh-token-5e7c2c9a9e4b0';
export const API_TOKEN = 'test-api-token-Zx81qPw07Lm';

export const PIPELINES = {
  build: { id: '3f9e2a40-7c1d-4b8e-9a6f-2d5c8b1e0a11', project: 'demo', name: 'build' },
  spaced: { id: 'a7c3e5f1-0000-4000-8000-000000000001', project: 'Platform Team', name: 'build & test' },
  restricted: { id: 'c4b7e9f2-5a3d-4c1e-8f6b-9d2a0e3b4c33', project: 'demo', name: 'release' },
  disabled: { id: 'e2d4f6a8-1b3c-4d5e-9f7a-0b1c2d3e4f44', project: 'demo', name: 'retired' },
} as const;

export const SEED: SimulatorSeed = {
  users: [{ name: 'relay', refreshToken: REFRESH_TOKEN, apiToken: API_TOKEN }],
  pipelines: [
    { ...PIPELINES.build, input: { GIT_BRANCH_NAME: '', GIT_COMMIT_ID: '' } },
    { ...PIPELINES.spaced },
    { ...PIPELINES.restricted, allowedUsers: ['release-manager'] },
    { ...PIPELINES.disabled, enabled: false },
  ],
};

/** Starts a simulator seeded with {@link SEED}; stop it in afterEach/afterAll. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<CodeStreamSimulator> {
  const simulator = new CodeStreamSimulator({ seed: SEED, ...options });
  await simulator.start();
  return simulator;
}

/** A credential source for client tests that do not exercise Secrets Manager; counts its reads. */
export function fixedCredentials(value: { refreshToken?: string; apiToken?: string }): CredentialSource & {
  reads: { fresh: boolean }[];
} {
  const reads: { fresh: boolean }[] = [];
  return {
    reads,
    async credential(flow, options) {
      reads.push(options);
      const credential = value[flow];
      if (credential === undefined) throw new Error(`no ${flow} in the test credentials`);
      return { value: credential };
    },
  };
}
