import { SQSClient } from '@aws-sdk/client-sqs';
import { traced, tracing } from '../../../lambda/handlers/tracing';

it('off unless the stack turned it on: the middleware does nothing and clients stay as they are', async () => {
  const middleware = tracing({});
  const request = { event: {}, context: {}, response: undefined, error: undefined, internal: {} };
  await expect(middleware.before?.(request as never)).resolves.toBeUndefined();
  await expect(middleware.after?.(request as never)).resolves.toBeUndefined();
  expect(request.internal).toEqual({});
  const client = new SQSClient({ region: 'us-east-1' });
  const middlewares = client.middlewareStack.identify().length;
  expect(traced(client)).toBe(client);
  expect(client.middlewareStack.identify()).toHaveLength(middlewares);
});
