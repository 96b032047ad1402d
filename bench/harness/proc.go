//go:build benchref

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// procSample is a snapshot of the counters that /proc keeps for one process.
type procSample struct {
	at time.Time
	// cpuTicks is utime plus stime from /proc/PID/stat, in clock ticks. It
	// includes threads that have exited.
	cpuTicks int64
	// runNanos is the time on a CPU summed over /proc/PID/task/*/schedstat,
	// in nanoseconds. Threads that have exited drop out of the sum.
	runNanos int64
	// switches is voluntary plus nonvoluntary context switches summed over
	// /proc/PID/task/*/status.
	switches int64
	rssKiB   int64
}

func sampleProcess(pid int) (procSample, error) {
	s := procSample{at: time.Now()}
	var err error
	if s.cpuTicks, err = cpuTicks(pid); err != nil {
		return s, err
	}
	status, err := readStatusFields(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return s, err
	}
	s.rssKiB = status["VmRSS"]

	tasks, err := filepath.Glob(fmt.Sprintf("/proc/%d/task/*", pid))
	if err != nil {
		return s, err
	}
	for _, task := range tasks {
		fields, err := readStatusFields(filepath.Join(task, "status"))
		if err != nil {
			continue // the thread exited
		}
		s.switches += fields["voluntary_ctxt_switches"] + fields["nonvoluntary_ctxt_switches"]
		if data, err := os.ReadFile(filepath.Join(task, "schedstat")); err == nil {
			if f := strings.Fields(string(data)); len(f) > 0 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				s.runNanos += n
			}
		}
	}
	return s, nil
}

// cpuTicks returns utime plus stime of pid in clock ticks.
func cpuTicks(pid int) (int64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name in brackets may contain spaces, so the fields are
	// counted from the last ')'. utime and stime are fields 14 and 15 of
	// proc(5), which are the 12th and 13th after the name.
	text := string(data)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat has %d fields after the name, expected at least 13", pid, len(fields))
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64)
	stime, err2 := strconv.ParseInt(fields[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: invalid utime %q or stime %q", pid, fields[11], fields[12])
	}
	return utime + stime, nil
}

// readStatusFields parses the "Name: value" lines of a /proc status-like
// file and keeps the first number of each. Sizes are in KiB.
func readStatusFields(path string) (map[string]int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := make(map[string]int64)
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		name, rest, ok := strings.Cut(scanner.Text(), ":")
		if !ok {
			continue
		}
		if fields := strings.Fields(rest); len(fields) > 0 {
			if n, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
				out[name] = n
			}
		}
	}
	return out, scanner.Err()
}

// memoryBreakdown splits a process's resident memory by kind and by the
// mapping it belongs to, all in KiB.
type memoryBreakdown struct {
	rss, anon, file int64
	// binary is the resident part of the program's own executable file,
	// and libraries that of the shared libraries (.so files) it maps.
	binary, libraries int64
	// byMapping is the resident size of each mapped file, or of a kind of
	// anonymous memory such as [heap] and [anon], largest first.
	byMapping []mappingRSS
}

type mappingRSS struct {
	name   string
	rssKiB int64
}

func readMemoryBreakdown(pid int, binaryName string) (memoryBreakdown, error) {
	var b memoryBreakdown
	status, err := readStatusFields(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return b, err
	}
	// Files on tmpfs count as RssShmem rather than RssFile.
	b.rss, b.anon, b.file = status["VmRSS"], status["RssAnon"], status["RssFile"]+status["RssShmem"]

	f, err := os.Open(fmt.Sprintf("/proc/%d/smaps", pid))
	if err != nil {
		return b, err
	}
	defer f.Close()
	sums := make(map[string]int64)
	current := ""
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		line := scanner.Text()
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		// A mapping header starts with an address range such as
		// "7f01...-7f02..."; the lines under it are "Name: value kB".
		if strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			current = "[anon]"
			if len(fields) >= 6 {
				current = mappingName(strings.Join(fields[5:], " "))
			}
			continue
		}
		if fields[0] == "Rss:" && len(fields) >= 2 {
			n, _ := strconv.ParseInt(fields[1], 10, 64)
			sums[current] += n
		}
	}
	if err := scanner.Err(); err != nil {
		return b, err
	}
	for name, kib := range sums {
		switch {
		case name == binaryName:
			b.binary += kib
		case strings.Contains(name, ".so"):
			b.libraries += kib
		}
		if kib > 0 {
			b.byMapping = append(b.byMapping, mappingRSS{name: name, rssKiB: kib})
		}
	}
	sort.Slice(b.byMapping, func(i, j int) bool {
		if b.byMapping[i].rssKiB != b.byMapping[j].rssKiB {
			return b.byMapping[i].rssKiB > b.byMapping[j].rssKiB
		}
		return b.byMapping[i].name < b.byMapping[j].name
	})
	return b, nil
}

// mappingName shortens a mapped path to its file name, so that the report
// reads libGLX_mesa.so.0.0.0 instead of a folder that differs by system.
func mappingName(path string) string {
	if strings.HasPrefix(path, "[") {
		return path
	}
	return filepath.Base(path)
}

// childProcesses returns the ids of the live processes whose parent is pid.
func childProcesses(pid int) []int {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var out []int
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		text := string(data)
		fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
		// fields[0] is the state and fields[1] the parent id.
		if len(fields) < 2 || fields[0] == "Z" || fields[1] != strconv.Itoa(pid) {
			continue
		}
		if child, err := strconv.Atoi(filepath.Base(filepath.Dir(path))); err == nil {
			out = append(out, child)
		}
	}
	return out
}

// processGone reports whether pid has exited. A zombie counts as exited.
func processGone(pid int) bool {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return true
	}
	text := string(data)
	fields := strings.Fields(text[strings.LastIndexByte(text, ')')+1:])
	return len(fields) == 0 || fields[0] == "Z" || fields[0] == "X"
}

func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(data))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
