import { Readable } from 'node:stream';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type HttpRequest, HttpResponse } from '@smithy/core/protocols';

/**
 * A DynamoDB document client whose requests never leave the process: its request handler answers
 * each one at once with HTTP 200 and `{}`, what DynamoDB answers a write that asks for no
 * attributes back. Everything before the network runs as in Lambda: the command's marshalling,
 * the SDK's middleware stack (endpoint, retries, user agent), SigV4 signing (static credentials,
 * as Lambda's are once read), and the parsing of the answer. A write's cost to the function's CPU
 * is timed so, without the round trip, whose time is DynamoDB's.
 */
export class InstantDynamo {
  readonly client: DynamoDBDocumentClient;
  /** How many requests the client sent: a benchmark checks that its writes reached the handler. */
  sent = 0;
  /** The latest of them, for a check of what was sent. */
  last: HttpRequest | undefined;

  constructor() {
    const requestHandler = { handle: async (request: HttpRequest) => this.#answer(request) };
    const credentials = { accessKeyId: 'AKIDBENCHMARK', secretAccessKey: 'benchmark' };
    this.client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1', credentials, requestHandler }));
  }

  #answer(request: HttpRequest): { response: HttpResponse } {
    this.sent += 1;
    this.last = request;
    // A stream, as Node's handler gives: the SDK reads the body as it would a socket's.
    return { response: new HttpResponse({ statusCode: 200, headers: { 'content-type': 'application/x-amz-json-1.0' }, body: Readable.from([Buffer.from('{}')]) }) };
  }
}
