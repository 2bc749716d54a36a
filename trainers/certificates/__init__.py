"""The certificate engine: PDF rendering (WeasyPrint), default templates, verification reads
and the background tasks that issue certificates. Writes live in
`trainers.services.certificates`."""
