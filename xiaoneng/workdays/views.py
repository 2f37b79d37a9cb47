from django.http import HttpResponse


def public_calculator(request):
    return HttpResponse("TODO")


def calendar(request):
    return HttpResponse("TODO")
