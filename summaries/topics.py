"""placeholder"""
def tag_topics(title: str, body: str) -> list[str]:
    """Placeholder."""
    return []
