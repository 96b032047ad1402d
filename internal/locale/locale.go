// Package locale gives Fyne a locale it can parse. Fyne v2.7.1's lang
// package logs "Fyne error: Error parsing user locale C" from its init
// function when the locale is C or POSIX, which every command of this
// program would print, since the program links Fyne for its windows.
//
// Importing this package for its side effect, from main, sets LANG to
// en_US.UTF-8 when the locale variables name the C or POSIX locale or are
// unset. Go initializes packages in import-path order where dependencies
// allow, so this init runs before Fyne's lang package, whose dependencies
// (github.com/jeandeaual/go-locale, github.com/nicksnyder/go-i18n) sort
// after this module's path.
package locale

import (
	"os"
	"strings"
)

// fallback is the locale set in place of C or POSIX.
const fallback = "en_US.UTF-8"

func init() {
	Fix()
}

// Fix sets LANG to en_US.UTF-8, and clears LC_ALL and LC_MESSAGES, when
// the locale they select is C, POSIX or unset. Any other locale is kept.
func Fix() {
	for _, name := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		value := os.Getenv(name)
		if value == "" {
			continue
		}
		if !isCLocale(value) {
			return
		}
		os.Unsetenv(name)
	}
	os.Setenv("LANG", fallback)
}

// isCLocale reports whether value names the C or POSIX locale, with or
// without a character set such as C.UTF-8.
func isCLocale(value string) bool {
	base, _, _ := strings.Cut(value, ".")
	return base == "C" || base == "POSIX"
}
