// The function's process entry: the SDK's flags (--address, --insecure, --tls-server-certs-dir,
// --debug), served by server.ts; composing lives in handler.ts.
import { K8treFunction } from './handler.js';
import { serveFromCommandLine } from './server.js';

serveFromCommandLine(new K8treFunction(), 'function-k8tre-azure');
