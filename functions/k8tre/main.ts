// The function's process entry: flags (--address, --insecure, --tls-server-certs-dir, --debug),
// TLS and signal handling all come from the SDK's serve(); composing lives in handler.ts.
import { serve } from '@crossplane-org/function-sdk-typescript';
import { K8treFunction } from './handler.js';

serve(new K8treFunction(), { name: 'function-k8tre-azure' });
