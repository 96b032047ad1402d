package ui

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/athos-tray/athos-tray/auth"
)

// countingFetcher returns a new token on each request.
type countingFetcher struct{ n int }

func (f *countingFetcher) FetchToken(context.Context, auth.Credentials) (auth.Token, error) {
	f.n++
	return auth.Token{
		AccessToken: "tok" + string(rune('0'+f.n)),
		ExpiresIn:   time.Hour,
		ReceivedAt:  time.Now().Round(0),
	}, nil
}

// newFeedTestTray returns a tray whose manager holds a token for profile p
// and whose token window was opened with that token.
func newFeedTestTray(t *testing.T) (*tray, *tokenFeed) {
	t.Helper()
	tr := &tray{manager: auth.NewManager(auth.ManagerConfig{Fetcher: &countingFetcher{}})}
	tr.profile = auth.Profile{Name: "p"}
	tr.manager.SetProfile("p", auth.Credentials{ClientID: "c", ClientSecret: "s"}, false)
	if _, err := tr.manager.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	feed := &tokenFeed{updates: make(chan []byte, 1), sent: NewTokenDetails("p", tr.manager.Snapshot())}
	tr.tokenFeed = feed
	return tr, feed
}

func TestFeedTokenWindowSendsChanges(t *testing.T) {
	tr, feed := newFeedTestTray(t)
	tr.feedTokenWindow()
	if len(feed.updates) != 0 {
		t.Fatalf("update sent although the token did not change")
	}

	if _, err := tr.manager.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.feedTokenWindow()
	if _, err := tr.manager.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.feedTokenWindow()
	if len(feed.updates) != 1 {
		t.Fatalf("%d lines queued after two refreshes, want the newest only", len(feed.updates))
	}
	var got TokenDetails
	if err := json.Unmarshal(<-feed.updates, &got); err != nil {
		t.Fatal(err)
	}
	if got.AccessToken != "tok3" || got.Profile != "p" {
		t.Errorf("queued details for %q with token %q, want p with the third token", got.Profile, got.AccessToken)
	}
}

func TestFeedTokenWindowFollowsProfileSwitch(t *testing.T) {
	tr, feed := newFeedTestTray(t)
	tr.profile = auth.Profile{Name: "other"}
	tr.manager.SetProfile("other", auth.Credentials{ClientID: "c2", ClientSecret: "s2"}, false)
	tr.feedTokenWindow()
	if len(feed.updates) != 0 {
		t.Fatalf("update sent before the new profile has a token")
	}

	if _, err := tr.manager.Refresh(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.feedTokenWindow()
	if len(feed.updates) != 1 {
		t.Fatalf("%d lines queued after the new profile's first token, want 1", len(feed.updates))
	}
	var got TokenDetails
	if err := json.Unmarshal(<-feed.updates, &got); err != nil {
		t.Fatal(err)
	}
	if got.Profile != "other" || got.AccessToken != "tok2" {
		t.Errorf("queued details for %q with token %q, want other with its own token", got.Profile, got.AccessToken)
	}
	if feed.closed {
		t.Errorf("stream closed after the profile switch")
	}
}

func TestFeedTokenWindowEndsWithoutProfile(t *testing.T) {
	for name, profile := range map[string]auth.Profile{
		"no profile":     {},
		"legacy profile": {Name: "basic", Legacy: true},
	} {
		tr, feed := newFeedTestTray(t)
		tr.profile = profile
		tr.feedTokenWindow()
		if _, open := <-feed.updates; open {
			t.Fatalf("%s: stream still open", name)
		}
		tr.feedTokenWindow() // must not close the channel twice
	}
}
