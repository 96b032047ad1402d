//go:build !linux

package notify

import (
	"context"
	"fmt"

	"github.com/gen2brain/beeep"
)

// Desktop returns the Sender of the operating system: Notification Center
// on macOS and toast notifications on Windows, through beeep.
//
// NOTE: this path is cross-compiled for Windows but has not run on macOS or
// Windows, so whether a notification appears there is untested.
func Desktop() Sender {
	return SenderFunc(func(ctx context.Context, m Message) error {
		if err := beeep.Notify(m.Title, m.Body, ""); err != nil {
			return fmt.Errorf("send notification: %w", err)
		}
		return nil
	})
}
