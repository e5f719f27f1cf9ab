// The function's process entry: the SDK's flags (--address, --insecure, --tls-server-certs-dir,
// --debug), served by server.ts; composing lives in handler.ts. The environment tells it the
// circuit-breaker settings Crossplane runs with (lib/pacing.ts).
import { K8treFunction } from './handler.js';
import { breakerSettingsFromEnv } from './lib/pacing.js';
import { serveFromCommandLine } from './server.js';

serveFromCommandLine(new K8treFunction(breakerSettingsFromEnv(process.env)), 'function-k8tre-azure');
