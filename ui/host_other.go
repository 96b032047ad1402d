//go:build !linux

package ui

import "log/slog"

// checkTrayHost has nothing to check outside Linux: macOS and Windows
// always have a notification area.
func checkTrayHost(*slog.Logger) error {
	return nil
}
