"""The local web app: server-rendered pages that work without JavaScript, and a JSON API."""
