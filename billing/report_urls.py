"""URLs of these pages (policies in the matching *_pages module)."""

urlpatterns: list = []
