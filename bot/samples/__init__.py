"""Sample articles shipped for `newsbot console` (articles.json, written for this project)."""
