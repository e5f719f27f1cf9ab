// What the function's bundle has in place of @grpc/grpc-js. The function serves gRPC itself
// (functions/k8tre/transport/unary-server.ts); the SDK imports grpc-js only for its own server,
// which the function never starts, and for a client class its generated module builds when it
// loads. That class is built here from nothing; anything else fails loudly if ever called.
export class Client {}

export function makeGenericClientConstructor() {
  return class extends Client {};
}

const absent = (name) => () => {
  throw new Error(
    `@grpc/grpc-js ${name} is not in the function's bundle (scripts/bundle/grpc-js-stub.mjs): the function serves with transport/unary-server.ts`,
  );
};

export const Server = absent('Server');
export const ServerCredentials = { createInsecure: absent('ServerCredentials'), createSsl: absent('ServerCredentials') };
