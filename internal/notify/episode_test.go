package notify

import (
	"slices"
	"testing"
	"time"
)

func TestEpisodes(t *testing.T) {
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) time.Time { return start.Add(d) }
	expiry := at(20 * time.Minute)
	healthy := State{Profile: "p", Active: true, HasToken: true, Expiry: expiry}
	failing := healthy
	failing.Failed = true
	renewed := healthy
	renewed.Expiry = at(12 * time.Hour)

	type step struct {
		at    time.Duration
		state State
		want  []Kind
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{
			name: "failure with time to spare is quiet",
			steps: []step{
				{0, healthy, nil},
				{time.Minute, failing, nil},
				{2 * time.Minute, renewed, nil},
			},
		},
		{
			name: "one warning per outage, then recovery",
			steps: []step{
				{6 * time.Minute, failing, []Kind{RefreshFailing}},
				{7 * time.Minute, failing, nil},
				{10 * time.Minute, failing, nil},
				{11 * time.Minute, renewed, []Kind{Recovered}},
				{12 * time.Minute, renewed, nil},
			},
		},
		{
			name: "warning, expiry, recovery",
			steps: []step{
				{6 * time.Minute, failing, []Kind{RefreshFailing}},
				{20 * time.Minute, failing, []Kind{Expired}},
				{25 * time.Minute, failing, nil},
				{26 * time.Minute, renewed, []Kind{Recovered}},
			},
		},
		{
			name: "second outage is a new episode",
			steps: []step{
				{6 * time.Minute, failing, []Kind{RefreshFailing}},
				{7 * time.Minute, State{Profile: "p", Active: true, HasToken: true, Expiry: at(21 * time.Minute)}, []Kind{Recovered}},
				{8 * time.Minute, State{Profile: "p", Active: true, HasToken: true, Expiry: at(21 * time.Minute), Failed: true},
					[]Kind{RefreshFailing}},
			},
		},
		{
			name: "expiry after sleep without failure waits for grace",
			steps: []step{
				{20*time.Minute + time.Second, healthy, nil},
				{20*time.Minute + 30*time.Second, healthy, nil},
				{21 * time.Minute, healthy, []Kind{Expired}},
				{22 * time.Minute, renewed, []Kind{Recovered}},
			},
		},
		{
			name: "quick refresh after sleep is quiet",
			steps: []step{
				{20*time.Minute + 5*time.Second, healthy, nil},
				{20*time.Minute + 8*time.Second, renewed, nil},
			},
		},
		{
			name: "profile change ends the episode silently",
			steps: []step{
				{6 * time.Minute, failing, []Kind{RefreshFailing}},
				{7 * time.Minute, State{Profile: "q", Active: true, HasToken: true, Expiry: at(12 * time.Hour)}, nil},
			},
		},
		{
			name: "legacy mode ends the episode silently",
			steps: []step{
				{6 * time.Minute, failing, []Kind{RefreshFailing}},
				{7 * time.Minute, State{Profile: "p"}, nil},
				{8 * time.Minute, renewed, nil},
			},
		},
		{
			name: "no token yet is quiet",
			steps: []step{
				{0, State{Profile: "p", Active: true, Failed: true}, nil},
				{time.Hour, State{Profile: "p", Active: true, Failed: true}, nil},
			},
		},
		{
			name: "failure at expiry sends only expired",
			steps: []step{
				{20 * time.Minute, failing, []Kind{Expired}},
				{21 * time.Minute, failing, nil},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var e Episodes
			for i, s := range tt.steps {
				got := e.Observe(s.state, at(s.at))
				if !slices.Equal(got, s.want) {
					t.Errorf("step %d at %v: Observe = %v, want %v", i, s.at, got, s.want)
				}
			}
		})
	}
}

func TestEpisodesThreshold(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	s := State{Profile: "p", Active: true, HasToken: true, Expiry: now.Add(40 * time.Minute), Failed: true}

	e := Episodes{Threshold: time.Hour}
	if got := e.Observe(s, now); !slices.Equal(got, []Kind{RefreshFailing}) {
		t.Errorf("Observe with a 1h threshold and 40m left = %v, want [refresh-failing]", got)
	}
	var d Episodes
	if got := d.Observe(s, now); got != nil {
		t.Errorf("Observe with the default threshold and 40m left = %v, want none", got)
	}
}
