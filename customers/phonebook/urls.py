"""A customer's phone book (policies in customers.phonebook.pages)."""

from django.urls import path

from customers.phonebook import views

urlpatterns = [
    path(
        "customers/<int:tenant_id>/phonebook/",
        views.customer_phonebook,
        name="customer_phonebook",
    ),
    path(
        "customers/<int:tenant_id>/phonebook/<str:e164>/edit/",
        views.customer_phonebook_edit,
        name="customer_phonebook_edit",
    ),
    path(
        "customers/<int:tenant_id>/phonebook/<str:e164>/delete/",
        views.customer_phonebook_delete,
        name="customer_phonebook_delete",
    ),
]
