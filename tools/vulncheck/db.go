package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// database describes a folder of OSV entries.
type database struct {
	dir     string
	entries int
	date    time.Time
	dateBy  string // where the date comes from
}

// describeDB counts the OSV entries in dir and finds the database's date:
// the newest modified time of an entry, or else the first date its README
// gives.
func describeDB(dir string) (database, error) {
	db := database{dir: dir}
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return db, err
	}
	if _, err := os.Stat(dir); err != nil {
		return db, fmt.Errorf("no vulnerability database: %w", err)
	}
	if len(files) == 0 {
		return db, fmt.Errorf("no vulnerability database: %s holds no OSV entries (*.json)", dir)
	}
	for _, f := range files {
		modified, err := entryModified(f)
		if err != nil {
			return db, err
		}
		if modified.After(db.date) {
			db.date, db.dateBy = modified, "the newest entry"
		}
	}
	db.entries = len(files)
	if !db.date.IsZero() {
		return db, nil
	}
	readmes, err := filepath.Glob(filepath.Join(dir, "README*"))
	if err != nil {
		return db, err
	}
	for _, readme := range readmes {
		date, err := firstDate(readme)
		if err != nil {
			return db, err
		}
		if !date.IsZero() {
			db.date, db.dateBy = date, filepath.Base(readme)
			return db, nil
		}
	}
	return db, errors.New("the vulnerability database gives no date: its entries have no modified time and no README names one")
}

// entryModified returns the modified time of the OSV entry in file.
func entryModified(file string) (time.Time, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return time.Time{}, err
	}
	var entry struct {
		Modified time.Time `json:"modified"`
	}
	if err := json.Unmarshal(b, &entry); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", filepath.Base(file), err)
	}
	return entry.Modified, nil
}

// firstDate returns the first word of the file that reads as a date
// (2006-01-02), or the zero time.
func firstDate(file string) (time.Time, error) {
	f, err := os.Open(file)
	if err != nil {
		return time.Time{}, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Split(bufio.ScanWords)
	for sc.Scan() {
		word := strings.Trim(sc.Text(), ".,;:()[]`'\"")
		if t, err := time.Parse(time.DateOnly, word); err == nil {
			return t, nil
		}
	}
	if err := sc.Err(); err != nil {
		return time.Time{}, err
	}
	return time.Time{}, nil
}
