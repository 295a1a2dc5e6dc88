module github.com/authgate/authgate/tools/vulncheck

go 1.26.0

require (
	golang.org/x/mod v0.43.0
	golang.org/x/vuln v1.9.0
)

require (
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.50.0 // indirect
	golang.org/x/telemetry v0.0.0-20261111153349-cdaf7e97dd7b // indirect
	golang.org/x/tools v0.52.0 // indirect
)
