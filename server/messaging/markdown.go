package messaging

import (
	"net/url"
	"strings"

	"github.com/nhs-companion/companion/app/api"
)

// Body reads a message body in the small Markdown subset practices write
// in: paragraphs (split by a blank line), lists ("- " or "* " items, or
// "1. " numbered), **bold**, and [links](https://…) to https addresses only.
// Anything else is text, shown as written: no HTML, images, headings or
// links of any other scheme.
func Body(md string) []api.TextBlock {
	md = strings.ReplaceAll(strings.ReplaceAll(md, "\r\n", "\n"), "\r", "\n")
	var out []api.TextBlock
	var para []string
	var list *api.TextBlock
	var item []string
	endItem := func() {
		if list != nil && item != nil {
			list.Items = append(list.Items, Inline(strings.Join(item, " ")))
		}
		item = nil
	}
	end := func() {
		if len(para) > 0 {
			out = append(out, api.TextBlock{Runs: Inline(strings.Join(para, " "))})
			para = nil
		}
		endItem()
		if list != nil {
			out = append(out, *list)
			list = nil
		}
	}
	for _, line := range strings.Split(md, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			end()
			continue
		}
		if kind, rest, ok := listItem(line); ok {
			if len(para) > 0 || (list != nil && list.List != kind) {
				end()
			}
			endItem()
			if list == nil {
				list = &api.TextBlock{List: kind}
			}
			item = []string{rest}
			continue
		}
		if item != nil {
			item = append(item, line) // the item goes on
			continue
		}
		// A paragraph runs on until a blank line or a list.
		para = append(para, line)
	}
	end()
	return out
}

// listItem reads a list item's marker: "ul" for "- " or "* ", "ol" for a
// number followed by ". ".
func listItem(line string) (kind, rest string, ok bool) {
	if r, ok := strings.CutPrefix(line, "- "); ok {
		return "ul", r, true
	}
	if r, ok := strings.CutPrefix(line, "* "); ok {
		return "ul", r, true
	}
	i := 0
	for i < len(line) && i < 3 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 {
		if r, ok := strings.CutPrefix(line[i:], ". "); ok {
			return "ol", r, true
		}
	}
	return "", "", false
}

// Inline reads bold and links in one paragraph or item.
func Inline(s string) []api.TextRun {
	var out []api.TextRun
	add := func(r api.TextRun) {
		if r.Text == "" {
			return
		}
		if n := len(out); n > 0 && r.Href == "" && out[n-1].Href == "" && out[n-1].Bold == r.Bold {
			out[n-1].Text += r.Text
			return
		}
		out = append(out, r)
	}
	for s != "" {
		i := strings.IndexAny(s, "*[")
		if i < 0 {
			add(api.TextRun{Text: s})
			break
		}
		add(api.TextRun{Text: s[:i]})
		s = s[i:]
		if rest, ok := strings.CutPrefix(s, "**"); ok {
			if j := strings.Index(rest, "**"); j > 0 {
				add(api.TextRun{Text: rest[:j], Bold: true})
				s = rest[j+2:]
				continue
			}
		}
		if s[0] == '[' {
			if text, href, rest, ok := link(s); ok {
				add(api.TextRun{Text: text, Href: href})
				s = rest
				continue
			}
		}
		add(api.TextRun{Text: s[:1]})
		s = s[1:]
	}
	return out
}

// link reads "[text](https://…)" at the start of s.
func link(s string) (text, href, rest string, ok bool) {
	close := strings.Index(s, "](")
	if close < 2 || strings.ContainsAny(s[1:close], "[]") {
		return "", "", "", false
	}
	end := strings.IndexByte(s[close+2:], ')')
	if end < 0 {
		return "", "", "", false
	}
	raw := s[close+2 : close+2+end]
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(raw, " \t\"'<>") {
		return "", "", "", false
	}
	return s[1:close], u.String(), s[close+3+end:], true
}
