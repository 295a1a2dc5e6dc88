package demo_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authgate/authgate/internal/demo"
)

func TestNotesStores(t *testing.T) {
	stores := map[string]func(t *testing.T) demo.Notes{
		"memory": func(t *testing.T) demo.Notes { return demo.NewMemoryNotes() },
		"sqlite": func(t *testing.T) demo.Notes {
			s, err := demo.OpenSQLiteNotes(t.Context(), filepath.Join(t.TempDir(), "notes.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t)
			at := time.Date(2030, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
			var ids []int64
			for i, text := range []string{"one", "two", "three"} {
				n, err := s.Add(ctx, "u1", text, at.Add(time.Duration(i)*time.Second))
				if err != nil {
					t.Fatal(err)
				}
				if n.Text != text || !n.CreatedAt.Equal(at.Add(time.Duration(i)*time.Second)) {
					t.Errorf("Add returned %+v", n)
				}
				ids = append(ids, n.ID)
			}
			if _, err := s.Add(ctx, "u2", "other", at); err != nil {
				t.Fatal(err)
			}
			if !(ids[0] < ids[1] && ids[1] < ids[2]) {
				t.Errorf("ids %v do not rise", ids)
			}
			tests := []struct {
				user  string
				limit int
				want  string
			}{
				{"u1", 10, "three two one"},
				{"u1", 2, "three two"},
				{"u2", 10, "other"},
				{"nobody", 10, ""},
				{"u1", 0, ""},
			}
			for _, tc := range tests {
				got, err := s.List(ctx, tc.user, tc.limit)
				if err != nil {
					t.Fatal(err)
				}
				var texts []string
				for _, n := range got {
					texts = append(texts, n.Text)
				}
				if strings.Join(texts, " ") != tc.want {
					t.Errorf("List(%s, %d) = %q, want %q", tc.user, tc.limit, texts, tc.want)
				}
				if got == nil {
					t.Errorf("List(%s, %d) = nil, want an empty list (it is JSON-encoded)", tc.user, tc.limit)
				}
			}
		})
	}
}

func TestSQLiteNotesPersist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notes.db")
	s, err := demo.OpenSQLiteNotes(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(t.Context(), "u1", "kept", time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = demo.OpenSQLiteNotes(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.List(t.Context(), "u1", 10)
	if err != nil || len(got) != 1 || got[0].Text != "kept" {
		t.Fatalf("after reopening: %+v, %v", got, err)
	}
}

func TestOpenSQLiteNotesFails(t *testing.T) {
	dir := t.TempDir()
	for name, path := range map[string]string{
		"empty path":        "",
		"missing directory": filepath.Join(dir, "missing", "notes.db"),
		"a directory":       dir,
	} {
		t.Run(name, func(t *testing.T) {
			s, err := demo.OpenSQLiteNotes(t.Context(), path)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
		})
	}
}

func TestCleanText(t *testing.T) {
	tests := []struct {
		in, want string
		err      error
	}{
		{"hello", "hello", nil},
		{" \tline one\r\nline two\n", "line one\nline two", nil},
		{"tab\tinside", "tab\tinside", nil},
		{"", "", demo.ErrEmptyNote},
		{"\n \n", "", demo.ErrEmptyNote},
		{"nul\x00", "", demo.ErrInvalidNote},
		{"bad \xff utf-8", "", demo.ErrInvalidNote},
		{"escape \x1b[31m", "", demo.ErrInvalidNote},
		{strings.Repeat("x", demo.MaxNoteLen+1), "", demo.ErrLongNote},
	}
	for _, tc := range tests {
		got, err := demo.CleanText(tc.in)
		if got != tc.want || !errors.Is(err, tc.err) {
			t.Errorf("CleanText(%q) = %q, %v; want %q, %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}
