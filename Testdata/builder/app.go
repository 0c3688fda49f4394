// A stand-in for alexellis/href-counter: counts the links in an HTML document read from stdin
// (the original fetches a URL; tests stay offline).
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
)

func main() {
	page, _ := io.ReadAll(os.Stdin)
	text := strings.ToLower(string(page))
	internal, external := 0, 0
	for _, part := range strings.Split(text, "href=\"")[1:] {
		if strings.HasPrefix(part, "http") {
			external++
		} else {
			internal++
		}
	}
	fmt.Printf("{\"internal\":%d,\"external\":%d}\n", internal, external)
}
