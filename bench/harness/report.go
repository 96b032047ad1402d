//go:build benchref

package main

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Targets for the Athos tray, relative to the references where they compare.
const (
	maxCPUVersusSystray = 1.5
	minCPUFractionFyne  = 20 // at most 1/20 of the Fyne reference
	maxRSSVersusSystray = 1.5
	maxRegister         = 50 * time.Millisecond
	maxCopy             = 50 * time.Millisecond
)

// Markers around the generated part of BENCHMARKS.md.
const (
	sectionBegin = "<!-- bench:begin (written by make bench; edits inside are replaced) -->"
	sectionEnd   = "<!-- bench:end -->"
)

type report struct {
	cfg                config
	started            time.Time
	loadStart, loadEnd string
	results            map[string][]runResult
	day                dayResult
	goBench            string
}

// medians holds the medians over the runs of one tray.
type medians struct {
	register         time.Duration
	rssStart, rssEnd int64
	cpu, run, wakeup float64
	anon, file       int64
	binary, libs     int64
	copyOwner        []time.Duration
	copyRead         []time.Duration
	detailsOpen      time.Duration
	detailsClose     time.Duration
	detailsNote      string
}

func summarize(runs []runResult) medians {
	var m medians
	var registers, opens, closes []time.Duration
	var rssStart, rssEnd, anon, file, binary, libs []int64
	var cpu, run, wakeup []float64
	for _, r := range runs {
		registers = append(registers, r.register)
		rssStart, rssEnd = append(rssStart, r.rssStart), append(rssEnd, r.rssEnd)
		cpu, run, wakeup = append(cpu, r.cpuPercent), append(run, r.runPercent), append(wakeup, r.switchesPerSecond)
		anon, file = append(anon, r.memory.anon), append(file, r.memory.file)
		binary, libs = append(binary, r.memory.binary), append(libs, r.memory.libraries)
		for _, c := range r.copies {
			m.copyOwner, m.copyRead = append(m.copyOwner, c.owner), append(m.copyRead, c.read)
		}
		if r.detailsNote == "" && r.detailsOpen > 0 {
			opens, closes = append(opens, r.detailsOpen), append(closes, r.detailsClose)
		}
		m.detailsNote = r.detailsNote
	}
	m.register = median(registers)
	m.rssStart, m.rssEnd = median(rssStart), median(rssEnd)
	m.cpu, m.run, m.wakeup = median(cpu), median(run), median(wakeup)
	m.anon, m.file = median(anon), median(file)
	m.binary, m.libs = median(binary), median(libs)
	m.detailsOpen, m.detailsClose = median(opens), median(closes)
	return m
}

func (r *report) markdown() string {
	ours, sys, fyne := summarize(r.results[keyOurs]), summarize(r.results[keySystray]), summarize(r.results[keyFyne])
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	p("## Latest run\n\n")
	p("- Machine: %s, %d cores, %s RAM, Linux %s, %s.\n", cpuModel(), runtime.NumCPU(), memTotal(), kernelRelease(), runtime.Version())
	p("- Date: %s. Commit: %s.\n", r.started.UTC().Format("2006-01-02 15:04 UTC"), r.cfg.commit)
	p("- Settings: %v idle window, %d runs per tray (the table shows medians), start-up sample %v after start, "+
		"%d copies per run, simulated day of %d token lifetimes of %v.\n",
		r.cfg.idle, r.cfg.runs, r.cfg.settle, r.cfg.clicks, r.cfg.lifetimes, r.cfg.lifetime)
	p("- Load average (1, 5, 15 min) at the start: %s; at the end: %s. Other programs shared the machine: "+
		"the per-run table below shows the load at each run.\n\n", r.loadStart, r.loadEnd)

	p("| Measure | Athos tray | fyne.io/systray ref | Fyne desktop.App ref | Athos ÷ systray | Athos ÷ Fyne | Target | Result |\n")
	p("|---|---|---|---|---|---|---|---|\n")
	cpuTarget := fmt.Sprintf("≤ %.1fx systray and ≤ 1/%d Fyne", maxCPUVersusSystray, minCPUFractionFyne)
	row := func(name, a, s, f, rs, rf, target, result string) {
		p("| %s | %s | %s | %s | %s | %s | %s | %s |\n", name, a, s, f, rs, rf, target, result)
	}
	row("Idle CPU, utime+stime (% of one core)", percent(ours.cpu), percent(sys.cpu), percent(fyne.cpu),
		ratio(ours.cpu, sys.cpu), ratio(ours.cpu, fyne.cpu), cpuTarget, r.judgeTicks(ours.cpu, sys.cpu, fyne.cpu))
	row("Idle CPU, schedstat run time (% of one core)", percent(ours.run), percent(sys.run), percent(fyne.run),
		ratio(ours.run, sys.run), ratio(ours.run, fyne.run), cpuTarget, judgeCPU(ours.run, sys.run, fyne.run))
	row("Wake-ups: context switches per second", fmt.Sprintf("%.1f", ours.wakeup), fmt.Sprintf("%.1f", sys.wakeup),
		fmt.Sprintf("%.1f", fyne.wakeup), ratio(ours.wakeup, sys.wakeup), ratio(ours.wakeup, fyne.wakeup), "", "")
	row(fmt.Sprintf("RSS %v after start", r.cfg.settle), mib(ours.rssStart), mib(sys.rssStart), mib(fyne.rssStart),
		ratio(float64(ours.rssStart), float64(sys.rssStart)), ratio(float64(ours.rssStart), float64(fyne.rssStart)), "", "")
	row(fmt.Sprintf("RSS after %v idle", r.cfg.idle), mib(ours.rssEnd), mib(sys.rssEnd), mib(fyne.rssEnd),
		ratio(float64(ours.rssEnd), float64(sys.rssEnd)), ratio(float64(ours.rssEnd), float64(fyne.rssEnd)),
		fmt.Sprintf("≤ %.1fx systray", maxRSSVersusSystray), judgeRSS(ours.rssEnd, sys.rssEnd))
	memoryRow := func(name string, get func(medians) int64) {
		a, s, f := get(ours), get(sys), get(fyne)
		row(name, mib(a), mib(s), mib(f), ratio(float64(a), float64(s)), ratio(float64(a), float64(f)), "", "")
	}
	memoryRow("… anonymous (RssAnon: Go heap, stacks, C allocations)", func(m medians) int64 { return m.anon })
	memoryRow("… file-backed (RssFile)", func(m medians) int64 { return m.file })
	memoryRow("… in mappings of the program's executable", func(m medians) int64 { return m.binary })
	memoryRow("… in mappings of shared libraries, with their copied-on-write data", func(m medians) int64 { return m.libs })
	row("Start to RegisterStatusNotifierItem", millis(ours.register), millis(sys.register), millis(fyne.register),
		ratio(ours.register.Seconds(), sys.register.Seconds()), ratio(ours.register.Seconds(), fyne.register.Seconds()),
		"≤ 50 ms", judgeDuration(ours.register, maxRegister))
	row("… with a stored profile (keyring), one run", millis(r.day.register), "", "", "", "", "≤ 50 ms",
		judgeDuration(r.day.register, maxRegister))
	if len(ours.copyOwner) > 0 {
		row("Copy Bearer header click to new CLIPBOARD owner", spread(ours.copyOwner), "", "", "", "", "≤ 50 ms",
			judgeDuration(median(ours.copyOwner), maxCopy))
		row("… to the header read back by `xclip -o`", spread(ours.copyRead), "", "", "", "", "", "")
	}
	row("Token details window: click to viewable", detailsValue(ours.detailsOpen, ours.detailsNote, r.day.detailsOpen, r.day.detailsNote),
		"", "", "", "", "", "")
	row("Token details window: WM_DELETE_WINDOW to process exit", detailsValue(ours.detailsClose, ours.detailsNote, r.day.detailsClose, r.day.detailsNote),
		"", "", "", "", "", "")
	requestsResult := "met"
	if r.day.requests != r.day.expected {
		requestsResult = fmt.Sprintf("missed: %+d requests", r.day.requests-r.day.expected)
	}
	row(fmt.Sprintf("Token requests over %d lifetimes of %v", r.day.expected, r.cfg.lifetime),
		fmt.Sprintf("%d (%d tokens issued)", r.day.requests, r.day.issued), "", "", "", "",
		fmt.Sprintf("= %d", r.day.expected), requestsResult)
	row("Binary size", fileMiB(r.cfg.ours), fileMiB(r.cfg.systrayRef), fileMiB(r.cfg.fyneRef), "", "", "", "")
	if len(ours.copyOwner) > 0 {
		p("\nThe copy is timed from the D-Bus `Event` call to the moment `XGetSelectionOwner` names a new owner, " +
			"polled every 0.2 ms; the clipboard is readable from then on. The second copy row adds one `xclip -o` " +
			"process start, so it shows what a script reading the clipboard sees.\n")
	}

	p("\n### Each run\n\n")
	p("| Tray | Run | Load before | Registered | RSS start | RSS end | CPU (ticks) | CPU (schedstat) | Switches/s |\n")
	p("|---|---|---|---|---|---|---|---|---|\n")
	for _, key := range []string{keyOurs, keySystray, keyFyne} {
		for i, run := range r.results[key] {
			p("| %s | %d | %s | %s | %s | %s | %s | %s | %.1f |\n", trayNames[key], i+1, run.loadBefore,
				millis(run.register), mib(run.rssStart), mib(run.rssEnd), percent(run.cpuPercent),
				percent(run.runPercent), run.switchesPerSecond)
		}
	}

	p("\n### Resident memory by mapping at the end of the last idle window (MiB)\n\n")
	r.writeMappings(&b)

	if r.goBench != "" {
		p("\n### Go benchmarks\n\n`go test -run '^$' -bench . -benchmem ./auth`:\n\n```text\n%s\n```\n",
			strings.TrimSpace(r.goBench))
	}
	return strings.TrimRight(b.String(), "\n")
}

var trayNames = map[string]string{keyOurs: "Athos", keySystray: "systray ref", keyFyne: "Fyne ref"}

// minListedKiB is the smallest mapping that writeMappings lists.
const minListedKiB = 100

// writeMappings lists the largest resident mappings of each tray side by side.
func (r *report) writeMappings(b *strings.Builder) {
	last := func(key string) map[string]int64 {
		runs := r.results[key]
		out := make(map[string]int64)
		if len(runs) > 0 {
			for _, m := range runs[len(runs)-1].memory.byMapping {
				out[m.name] = m.rssKiB
			}
		}
		return out
	}
	keys := []string{keyOurs, keySystray, keyFyne}
	sizes := map[string]map[string]int64{}
	var names []string
	for _, key := range keys {
		sizes[key] = last(key)
		runs := r.results[key]
		if len(runs) == 0 {
			continue
		}
		for i, m := range runs[len(runs)-1].memory.byMapping {
			if i >= 8 || m.rssKiB < minListedKiB {
				break
			}
			if !slices.Contains(names, m.name) {
				names = append(names, m.name)
			}
		}
	}
	slices.SortFunc(names, func(a, c string) int {
		return int(sizes[keyOurs][c] - sizes[keyOurs][a])
	})
	fmt.Fprintf(b, "| Mapping | Athos | systray ref | Fyne ref |\n|---|---|---|---|\n")
	for _, name := range names {
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", name,
			mibOrDash(sizes[keyOurs][name]), mibOrDash(sizes[keySystray][name]), mibOrDash(sizes[keyFyne][name]))
	}
}

// spread formats the median with the lowest and highest value.
func spread(values []time.Duration) string {
	return fmt.Sprintf("%s (%s–%s, n=%d)", millis(median(values)), millis(slices.Min(values)), millis(slices.Max(values)), len(values))
}

func detailsValue(open time.Duration, note string, dayOpen time.Duration, dayNote string) string {
	switch {
	case note == "" && open > 0:
		return millis(open) + " (sandbox)"
	case dayNote == "" && dayOpen > 0:
		return millis(dayOpen) + " (stored profile, one run)"
	case note != "":
		return note
	}
	return dayNote
}

func judgeCPU(ours, sys, fyne float64) string {
	var misses []string
	if ours > maxCPUVersusSystray*sys {
		misses = append(misses, fmt.Sprintf("%s of systray (target %.1fx)", ratio(ours, sys), maxCPUVersusSystray))
	}
	if ours*minCPUFractionFyne > fyne {
		misses = append(misses, fmt.Sprintf("%s of Fyne (target 1/%d)", ratio(ours, fyne), minCPUFractionFyne))
	}
	if len(misses) == 0 {
		return "met"
	}
	return "missed: " + strings.Join(misses, "; ")
}

// judgeTicks judges the utime+stime row, unless the systray reference used
// so few 10 ms ticks that one tick more or less would decide the result.
func (r *report) judgeTicks(ours, sys, fyne float64) string {
	ticks := sys / 100 * r.cfg.idle.Seconds() * clockTicksPerSecond
	if ticks < minJudgedTicks {
		return fmt.Sprintf("not judged: the systray reference used %.0f ms, and in 10 ms ticks rounding decides %.1fx; see the schedstat row",
			ticks*1000/clockTicksPerSecond, maxCPUVersusSystray)
	}
	return judgeCPU(ours, sys, fyne)
}

// minJudgedTicks is the reference's tick count from which a 1.5x ratio is
// no longer decided by rounding to whole ticks.
const minJudgedTicks = 10

func judgeRSS(ours, sys int64) string {
	limit := int64(maxRSSVersusSystray * float64(sys))
	if ours <= limit {
		return "met"
	}
	return fmt.Sprintf("missed by %s (%s against at most %s)", mib(ours-limit), ratio(float64(ours), float64(sys)), mib(limit))
}

func judgeDuration(got, limit time.Duration) string {
	if got <= limit {
		return "met"
	}
	return fmt.Sprintf("missed by %s", millis(got-limit))
}

func ratio(ours, ref float64) string {
	switch {
	case ref == 0 && ours == 0:
		return "both 0"
	case ref == 0:
		return "n/a (reference 0)"
	case ours == 0:
		return "0"
	}
	r := ours / ref
	if r >= 0.5 {
		return fmt.Sprintf("%.2fx", r)
	}
	return fmt.Sprintf("%.3fx (1/%.0f)", r, 1/r)
}

func percent(v float64) string { return fmt.Sprintf("%.3f%%", v) }

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func mibOrDash(kib int64) string {
	if kib == 0 {
		return "–"
	}
	return fmt.Sprintf("%.1f", float64(kib)/1024)
}

func millis(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func fileMiB(path string) string {
	info, err := os.Stat(path)
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MiB", float64(info.Size())/(1<<20))
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	defer f.Close()
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		if name, value, ok := strings.Cut(scanner.Text(), ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}

func kernelRelease() string {
	data, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(data))
}

func memTotal() string {
	fields, err := readStatusFields("/proc/meminfo")
	if err != nil {
		return "unknown"
	}
	return fmt.Sprintf("%.0f GiB", float64(fields["MemTotal"])/(1<<20))
}

// replaceSection writes text between the markers in the file at path,
// keeping the rest of the file, and appends the markers when missing.
func replaceSection(path, text string) error {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	content := string(data)
	section := sectionBegin + "\n" + text + "\n" + sectionEnd
	begin, end := strings.Index(content, sectionBegin), strings.Index(content, sectionEnd)
	if begin >= 0 && end > begin {
		content = content[:begin] + section + content[end+len(sectionEnd):]
	} else {
		content = strings.TrimRight(content, "\n") + "\n\n" + section + "\n"
	}
	return os.WriteFile(path, []byte(content), 0o644)
}
