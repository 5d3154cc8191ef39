"""URLs of this part of the portal; their policies live in the matching *pages module."""

urlpatterns: list = []
