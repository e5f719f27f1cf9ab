// The benchmark's second floor: a no-op composition function built on Crossplane's Go SDK
// (github.com/crossplane/function-sdk-go), as most functions are written. It returns the desired
// state it was given, as the Node no-op does (noop-function.ts), so the bench compares the same
// work served by each language's SDK. Built from the Go module proxy on first use.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	function "github.com/crossplane/function-sdk-go"
	fnv1 "github.com/crossplane/function-sdk-go/proto/v1"
	"github.com/crossplane/function-sdk-go/response"
)

type noop struct {
	fnv1.UnimplementedFunctionRunnerServiceServer
}

func (noop) RunFunction(_ context.Context, req *fnv1.RunFunctionRequest) (*fnv1.RunFunctionResponse, error) {
	return response.To(req, response.DefaultTTL), nil
}

func main() {
	address := flag.String("address", "127.0.0.1:9443", "Address to listen on.")
	insecure := flag.Bool("insecure", false, "Serve without TLS (the bench calls it on loopback).")
	flag.Parse()
	err := function.Serve(noop{},
		function.Listen("tcp", *address),
		function.Insecure(*insecure),
		// The largest request the bench sends is a network of 250 environments, about 6 MB.
		function.MaxRecvMessageSize(32*1024*1024),
		// No metrics server: it would listen on every interface.
		function.WithMetricsServer(""),
	)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
