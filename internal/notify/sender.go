package notify

import "context"

// AppName is the application name shown with each notification.
const AppName = "Athos Token Tray"

// Message is one notification.
type Message struct {
	Title string
	Body  string
}

// Sender shows notifications.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) error {
	return f(ctx, m)
}
