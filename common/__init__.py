"""The ground: plain helpers every app may use, which import no app of the portal
(network addresses, paging, inputs, lookups, links, spreadsheet safety, the request
middleware and log lines, the admin's read-only bases). See docs/development.md."""
