import { type RunningConsole, startConsole } from '../../cli/console/ConsoleServer';
import { type ConsoleSamples, SAMPLE_CONFIG, consoleSamples } from './consoleSamples';
import { FakeConsoleQueues } from './FakeConsoleQueues';
import { InMemoryDeliveryHistory } from './InMemoryDeliveryHistory';

export interface SampleConsole extends RunningConsole {
  samples: ConsoleSamples;
  history: InMemoryDeliveryHistory;
  queues: FakeConsoleQueues;
}

/**
 * The console on a free port, over {@link consoleSamples} in a fake log and fake queues, serving
 * the page built into `assetsDir` (console/build.ts). Its `url` is all a browser test needs, so
 * the same tests can drive a console that local mode serves over its real log and queues.
 */
export async function startSampleConsole(assetsDir: string, now = new Date()): Promise<SampleConsole> {
  const samples = await consoleSamples(now);
  const history = new InMemoryDeliveryHistory(samples.deliveries);
  const queues = new FakeConsoleQueues(samples.deadLetters);
  const running = await startConsole({ history, queues: queues.open, configFile: SAMPLE_CONFIG, assetsDir, port: 0 });
  return { ...running, samples, history, queues };
}
