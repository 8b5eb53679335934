window.code=200;
window.redirect_uri="https://wx2.qq.com/cgi-bin/mmwebwx-bin/webwxnewloginpage?ticket=AbC3dEf4GhI5jKl6MnO7pQr8@qrticket_0&uuid=Qb7xN1e2Mw==&lang=zh_CN&scan=1764000000";