// Command caller times RunFunction calls the way Crossplane makes them: from Go, with the same
// gRPC module version as Crossplane v2.3.4 (google.golang.org/grpc v1.82.1). The request is
// sent as pre-encoded bytes and the answer is received as bytes, so what is timed is the
// function (decode, compose, encode) and the wire, not this client: a Node client's own
// garbage collection would show up in the function's tail latency.
//
//	caller -target 127.0.0.1:9443 -request req.bin [-min-samples 30] [-max-samples 2000] [-budget 2s]
//	       [-in-flight 8] [-throughput-calls 0] [-rss-of PID]
//
// Prints one JSON object: every sequential call's latency in milliseconds (after a warm-up),
// the function's own time for each as its server-timing trailer gave it, and how many calls
// completed with -in-flight of them in flight in how many seconds (none with -in-flight=0). With
// -rss-of, also the resident memory of that process, read every 10 ms while the sequential calls
// were timed.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

const method = "/apiextensions.fn.proto.v1.FunctionRunnerService/RunFunction"

// What the function accepts; Crossplane itself reads answers up to gRPC's 4 MiB default.
const maxMessageBytes = 32 << 20

// rawCodec passes bytes through: requests are encoded once, up front, by the benchmark.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("raw codec: cannot marshal %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("raw codec: cannot unmarshal into %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

func (rawCodec) Name() string { return "proto" }

type result struct {
	LatenciesMs       []float64 `json:"latencies_ms"`
	ServerMs          []float64 `json:"server_ms"`
	ThroughputCalls   int       `json:"throughput_calls"`
	ThroughputSeconds float64   `json:"throughput_seconds"`
	RssMb             []float64 `json:"rss_mb,omitempty"`
}

func main() {
	target := flag.String("target", "", "the function's address, host:port (plaintext)")
	requestFile := flag.String("request", "", "a file holding one encoded RunFunctionRequest")
	warmupCalls := flag.Int("warmup-calls", 50, "calls before timing starts (at least)")
	warmup := flag.Duration("warmup", 500*time.Millisecond, "time before timing starts (at least)")
	minSamples := flag.Int("min-samples", 30, "sequential calls timed, at least")
	maxSamples := flag.Int("max-samples", 2000, "sequential calls timed, at most")
	budget := flag.Duration("budget", 2*time.Second, "time spent on sequential calls once min-samples are done")
	inFlight := flag.Int("in-flight", 8, "concurrent calls for the throughput figure; 0 for none")
	throughputCalls := flag.Int("throughput-calls", 0, "calls for the throughput figure, 16 to 400; 0 for half the sequential calls timed")
	rssOf := flag.Int("rss-of", 0, "a process id whose resident memory is sampled every 10 ms while calls are timed")
	flag.BoolVar(&timingOptional, "server-timing-optional", false, "accept a function without a server-timing trailer (the Go SDK no-op), reporting its own time as 0")
	flag.Parse()
	if *target == "" || *requestFile == "" {
		fail(fmt.Errorf("-target and -request are required"))
	}
	request, err := os.ReadFile(*requestFile)
	if err != nil {
		fail(err)
	}
	conn, err := grpc.NewClient(*target,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(rawCodec{}), grpc.MaxCallRecvMsgSize(maxMessageBytes), grpc.MaxCallSendMsgSize(maxMessageBytes)))
	if err != nil {
		fail(err)
	}
	defer conn.Close()

	// One call; returns the function's own time from its `server-timing: run;dur=<ms>` trailer.
	call := func(response *[]byte) float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var trailer metadata.MD
		if err := conn.Invoke(ctx, method, &request, response, grpc.Trailer(&trailer)); err != nil {
			fail(err)
		}
		return serverMs(trailer)
	}

	var response []byte
	for start, i := time.Now(), 0; i < *warmupCalls || time.Since(start) < *warmup; i++ {
		call(&response)
	}

	samples := make(chan []float64)
	stopSampling := make(chan struct{})
	go func() { samples <- sampleRss(*rssOf, stopSampling) }()
	latencies := make([]float64, 0, *maxSamples)
	server := make([]float64, 0, *maxSamples)
	for start := time.Now(); len(latencies) < *minSamples || (time.Since(start) < *budget && len(latencies) < *maxSamples); {
		t := time.Now()
		own := call(&response)
		latencies = append(latencies, float64(time.Since(t).Nanoseconds())/1e6)
		server = append(server, own)
	}
	close(stopSampling)
	rss := <-samples

	// Throughput with calls in flight, unless asked for none (-in-flight=0: the bench measures it in one of its turns).
	calls, seconds := 0, 0.0
	if *inFlight > 0 {
		calls = *throughputCalls
		if calls <= 0 {
			calls = len(latencies) / 2
		}
		calls = max(16, min(400, calls))
		var next atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for range *inFlight {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var response []byte
				for next.Add(1) <= int64(calls) {
					call(&response)
				}
			}()
		}
		wg.Wait()
		seconds = time.Since(start).Seconds()
	}

	out := result{LatenciesMs: latencies, ServerMs: server, ThroughputCalls: calls, ThroughputSeconds: seconds, RssMb: rss}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fail(err)
	}
}

// sampleRss reads VmRSS of pid from /proc every 10 ms until stop is closed; nothing for pid 0.
func sampleRss(pid int, stop <-chan struct{}) []float64 {
	if pid == 0 {
		return nil
	}
	var mb []float64
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
		if err != nil {
			fail(err)
		}
		for _, line := range strings.Split(string(status), "\n") {
			if kb, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				value, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(kb, "kB")), 64)
				if err != nil {
					fail(fmt.Errorf("VmRSS of %d: %w", pid, err))
				}
				mb = append(mb, value/1024)
			}
		}
		select {
		case <-stop:
			return mb
		case <-tick.C:
		}
	}
}

// timingOptional: a function may send no server-timing trailer.
var timingOptional bool

func serverMs(trailer metadata.MD) float64 {
	for _, value := range trailer.Get("server-timing") {
		if dur, ok := strings.CutPrefix(value, "run;dur="); ok {
			if ms, err := strconv.ParseFloat(dur, 64); err == nil {
				return ms
			}
		}
	}
	if !timingOptional {
		fail(fmt.Errorf("no server-timing trailer in %v", trailer))
	}
	return 0
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "caller: %v\n", err)
	os.Exit(1)
}
