package demo

import (
	"context"
	"errors"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxNoteLen is the longest note, in characters.
const MaxNoteLen = 1000

// ListLimit is how many notes the page and /api/notes show: the newest ones.
const ListLimit = 100

// Note is one note as the app stores and serves it.
type Note struct {
	ID        int64     `json:"id"`         // unique in its store, rising with time
	Text      string    `json:"text"`       // as the user wrote it, checked by CleanText
	CreatedAt time.Time `json:"created_at"` // when it was saved
}

// Notes keeps each user's notes. Implementations must be safe for
// concurrent use. MemoryNotes and SQLiteNotes implement it.
type Notes interface {
	// Add stores a note for a user and returns it with its new id.
	Add(ctx context.Context, userID, text string, at time.Time) (Note, error)
	// List returns at most limit of a user's notes, newest first.
	List(ctx context.Context, userID string, limit int) ([]Note, error)
}

// Errors CleanText returns. Their text is fit to show to the user.
var (
	ErrEmptyNote   = errors.New("the note is empty")
	ErrLongNote    = errors.New("the note is longer than 1000 characters")
	ErrInvalidNote = errors.New("the note holds characters that are not allowed")
)

// CleanText checks a note's text and returns it with surrounding space
// trimmed and line ends made "\n". Text must be valid UTF-8 without control
// characters other than tabs and line ends.
func CleanText(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", ErrInvalidNote
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	switch {
	case s == "":
		return "", ErrEmptyNote
	case utf8.RuneCountInString(s) > MaxNoteLen:
		return "", ErrLongNote
	case strings.ContainsFunc(s, notAllowed):
		return "", ErrInvalidNote
	}
	return s, nil
}

func notAllowed(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == utf8.RuneError)
}
