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

func TestFeedTokenWindowEndsOnProfileSwitch(t *testing.T) {
	tr, feed := newFeedTestTray(t)
	tr.profile = auth.Profile{Name: "other"}
	tr.feedTokenWindow()
	if _, open := <-feed.updates; open {
		t.Fatalf("stream still open after the profile switch")
	}
	tr.feedTokenWindow() // must not close the channel twice
}
