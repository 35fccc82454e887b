"""Citizens' requests for priority datasets (AG/RES. 2931 asks for demand as much as supply).

From the coverage's empty cell or a dataset's page, any visitor asks a country for a priority dataset; the request
is stored (``pida_data_request``), listed publicly per country and priority dataset with its status, told to the
site's administrators by e-mail, and answered or closed by them. The requester's e-mail, if given, is only used to
send the answer: never shown, never returned by the API, erased when the request is closed.

``logic``  actions and their auth, validation, rate limit, notifications
``views``  /pida/requests (list), /pida/requests/new (form), /pida/requests/<id> (one request, its answer form)
"""
