import * as grpc from '@grpc/grpc-js';
import { FunctionRunnerServiceService, RunFunctionRequest, RunFunctionResponse } from '@crossplane-org/function-sdk-typescript';
import { MAX_MESSAGE_BYTES } from '../../functions/k8tre/server.js';

// A RunFunction client in Node that sends pre-encoded requests and receives raw response bytes:
// the bench's probe for cold start, and the server tests' client. Latency is timed from Go
// (caller.ts), as Crossplane calls.

/** A client class whose one method sends raw bytes to `path` (RunFunction's, unless a test says otherwise). */
const rawClientFor = (path: string) =>
  grpc.makeGenericClientConstructor(
    {
      runFunction: {
        ...FunctionRunnerServiceService.runFunction,
        path,
        requestSerialize: (bytes: Buffer) => bytes,
        responseDeserialize: (bytes: Buffer) => bytes,
      },
    },
    'FunctionRunnerService',
  );

type RawCall = (
  request: Buffer,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: Buffer) => void,
) => grpc.ClientUnaryCall;

export const encodeRequest = (request: RunFunctionRequest): Buffer => Buffer.from(RunFunctionRequest.encode(request).finish());
export const decodeResponse = (bytes: Buffer): RunFunctionResponse => RunFunctionResponse.decode(bytes);

export class FunctionClient {
  private readonly client: grpc.Client & { runFunction: RawCall };

  constructor(
    target: string,
    credentials: grpc.ChannelCredentials = grpc.credentials.createInsecure(),
    options: grpc.ChannelOptions = {},
    path: string = FunctionRunnerServiceService.runFunction.path,
  ) {
    const RawClient = rawClientFor(path);
    this.client = new RawClient(target, credentials, {
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      ...options,
    }) as unknown as grpc.Client & { runFunction: RawCall };
  }

  /** One call with an encoded request; resolves to the encoded response. */
  call(request: Buffer, deadlineMs = 30_000): Promise<Buffer> {
    return new Promise((resolve, reject) =>
      this.client.runFunction(request, new grpc.Metadata(), { deadline: Date.now() + deadlineMs }, (error, response) =>
        error ? reject(error) : resolve(response),
      ),
    );
  }

  async run(request: RunFunctionRequest, deadlineMs?: number): Promise<RunFunctionResponse> {
    return decodeResponse(await this.call(encodeRequest(request), deadlineMs));
  }

  close(): void {
    this.client.close();
  }
}
