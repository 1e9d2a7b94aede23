// The clinic's chat page: the official Web Chat (served from /lib/webchat.js) talking Direct Line 3.0
// to this server. The token comes from POST /api/directline/token (same origin, no secret in the page).
(function () {
  'use strict';

  var SESSION_KEY = 'faqbot.chat';
  var domain = window.location.origin + '/v3/directline';
  var statusElement = document.getElementById('chat-status');
  var site = { clinicName: '', assistantName: '', phone: '', primaryColor: '#0f5f6f', accentColor: '#f2a541', maxMessageLength: 4000 };

  function setStatus(text, isError) {
    statusElement.textContent = text;
    statusElement.classList.toggle('chat__status--error', Boolean(isError));
  }

  function fail(reason) {
    setStatus('The chat is not available right now' + (reason ? ' (' + reason + ')' : '') + '. ' +
      (site.phone ? 'Please call the clinic at ' + site.phone + '. ' : '') +
      'In an emergency call 911, or call or text 988.', true);
  }

  async function getJson(url, init) {
    var response = await fetch(url, init);
    if (!response.ok) {
      throw new Error(url + ' answered ' + response.status);
    }
    return response.json();
  }

  function applySite() {
    document.title = 'Chat with ' + site.clinicName;
    baseTitle = document.title;
    document.getElementById('clinic-name').textContent = site.clinicName;
    document.getElementById('assistant-name').textContent = site.assistantName;
    document.documentElement.style.setProperty('--primary', site.primaryColor);
    document.documentElement.style.setProperty('--accent', site.accentColor);
    if (site.phone) {
      var link = document.getElementById('clinic-phone');
      link.textContent = site.phone;
      link.href = 'tel:' + site.phone.replace(/[^0-9+]/g, '');
      document.getElementById('clinic-phone-line').hidden = false;
    }
  }

  // After a reload the same tab resumes its conversation (the server replays the transcript);
  // otherwise, or when the saved token has expired, a new conversation starts.
  async function openSession() {
    try {
      var saved = JSON.parse(window.sessionStorage.getItem(SESSION_KEY) || 'null');
      if (saved && saved.token && saved.conversationId) {
        var refreshed = await getJson(domain + '/tokens/refresh', { method: 'POST', headers: { Authorization: 'Bearer ' + saved.token } });
        if (refreshed.conversationId === saved.conversationId) {
          return { token: refreshed.token, conversationId: saved.conversationId };
        }
      }
    } catch (ignored) {
      // start afresh below
    }
    window.sessionStorage.removeItem(SESSION_KEY);
    var fresh = await getJson('/api/directline/token', { method: 'POST' });
    return { token: fresh.token };
  }

  // ---- unread count in the title while the tab is hidden ----------------------------------------
  var loadedAt = Date.now();
  var unread = 0;
  var baseTitle = document.title;

  function countUnread(activity) {
    var recent = !activity.timestamp || Date.parse(activity.timestamp) >= loadedAt - 5000; // not the replayed history
    if (document.hidden && recent && activity.type === 'message' && activity.from && activity.from.role !== 'user') {
      unread += 1;
      document.title = '(' + unread + ') ' + baseTitle;
    }
  }

  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && unread > 0) {
      unread = 0;
      document.title = baseTitle;
    }
  });

  // Citations link to the article pages with a path (/articles/...). Web Chat's Markdown keeps only absolute
  // http(s) links, so they are made absolute on this origin before Web Chat sees them.
  function withAbsoluteArticleLinks(activity) {
    if (!activity || !activity.entities) {
      return activity;
    }

    var json = JSON.stringify(activity.entities);
    if (json.indexOf('/articles/') < 0) {
      return activity;
    }

    var origin = window.location.origin;
    json = json.split('](/articles/').join('](' + origin + '/articles/').split('"/articles/').join('"' + origin + '/articles/');
    return Object.assign({}, activity, { entities: JSON.parse(json) });
  }

  // ---- staff members look like people: their name, their initials, a care-team tint ------------
  function isStaff(activity) {
    return Boolean(activity && activity.from && typeof activity.from.id === 'string' && activity.from.id.indexOf('staff:') === 0);
  }

  function staffName(activity) {
    return (activity.from.name || 'Care team').trim();
  }

  // The page builds a few plain elements without a copy of React: each is modelled on an element Web Chat
  // itself just made (same internal shape), with our type and props.
  function element(model, type, props, children) {
    var allProps = Object.assign({}, props);
    if (children !== undefined) {
      allProps.children = children;
    }

    return Object.assign({}, model, { type: type, key: null, props: allProps });
  }

  function activityMiddleware() {
    return function (next) {
      return function () {
        var setup = arguments[0];
        var render = next.apply(null, arguments);
        if (!render || !setup || !isStaff(setup.activity)) {
          return render;
        }

        var name = staffName(setup.activity);
        return function () {
          var inner = render.apply(null, arguments);
          if (!inner) {
            return inner;
          }

          return element(inner, 'div', { className: 'faqbot-staff-message', 'data-staff-name': name }, [
            element(inner, 'p', { className: 'faqbot-staff-message__name', key: 'name' }, name + ' · care team'),
            Object.assign({}, inner, { key: 'activity' })
          ]);
        };
      };
    };
  }

  function avatarMiddleware() {
    return function (next) {
      return function (args) {
        var render = next(args);
        if (!args || !isStaff(args.activity) || typeof render !== 'function') {
          return render;
        }

        var name = staffName(args.activity);
        return function () {
          var model = render.apply(null, arguments);
          return element(model, 'div', { className: 'faqbot-staff-avatar', title: name, 'data-staff-name': name, 'aria-hidden': true }, initials(name));
        };
      };
    };
  }

  // Web Chat groups messages by role, and a group's avatar is its first message's: a staff member's messages
  // (role "bot" on the wire) start a group of their own, so they get their own avatar.
  function groupActivitiesMiddleware() {
    return function (next) {
      return function (args) {
        var groups = next(args);
        if (!groups || !groups.sender) {
          return groups;
        }

        var sender = [];
        groups.sender.forEach(function (group) {
          var current = null;
          var currentKey = null;
          group.forEach(function (activity) {
            var key = isStaff(activity) ? activity.from.id : 'same';
            if (!current || key !== currentKey) {
              current = [];
              currentKey = key;
              sender.push(current);
            }

            current.push(activity);
          });
        });
        return Object.assign({}, groups, { sender: sender });
      };
    };
  }

  function notify(dispatch, id, message) {
    dispatch({ type: 'WEB_CHAT/SET_NOTIFICATION', payload: { id: id, level: 'error', message: message } });
  }

  function createStore(directLineRef) {
    return window.WebChat.createStore({}, function (api) {
      return function (next) {
        return function (action) {
          switch (action.type) {
            case 'WEB_CHAT/SUBMIT_SEND_BOX': {
              // Refuse an over-long message before it leaves: it stays in the box, with the reason shown.
              var length = (api.getState().sendBoxValue || '').trim().length;
              if (length > site.maxMessageLength) {
                notify(api.dispatch, 'too-long', 'Your message is ' + length.toLocaleString('en-US') + ' characters; the limit is ' +
                  site.maxMessageLength.toLocaleString('en-US') + '. It was not sent: please shorten it or send it in parts.');
                return undefined;
              }
              api.dispatch({ type: 'WEB_CHAT/DISMISS_NOTIFICATION', payload: { id: 'too-long' } });
              break;
            }
            case 'DIRECT_LINE/POST_ACTIVITY_REJECTED':
              notify(api.dispatch, 'send-failed', 'A message could not be sent; use Retry next to it. In an emergency call 911, or call or text 988.');
              break;
            case 'DIRECT_LINE/CONNECT_FULFILLED':
              setStatus('');
              break;
            case 'DIRECT_LINE/CONNECT_REJECTED':
              fail('could not connect');
              break;
            case 'DIRECT_LINE/INCOMING_ACTIVITY': {
              action = Object.assign({}, action, { payload: Object.assign({}, action.payload, { activity: withAbsoluteArticleLinks(action.payload.activity) }) });
              countUnread(action.payload.activity);
              var directLine = directLineRef.current;
              if (directLine && directLine.conversationId) {
                window.sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token: directLine.token, conversationId: directLine.conversationId }));
              }
              break;
            }
            default:
              break;
          }
          return next(action);
        };
      };
    });
  }

  // The crisis card's tap targets: Web Chat opens tel: links itself but refuses sms: ("Text 988"),
  // so both are opened here, the way Web Chat opens any link.
  function crisisTapTargets() {
    return function (next) {
      return function () {
        var action = arguments[0] && arguments[0].cardAction;
        if (action && (action.type === 'openUrl' || action.type === 'call') && /^(tel|sms):[+0-9]+$/.test(action.value || '')) {
          window.open(action.value, '_blank', 'noopener noreferrer');
          return undefined;
        }
        return next.apply(null, arguments);
      };
    };
  }

  function initials(name) {
    return name.split(/\s+/).filter(Boolean).slice(0, 2).map(function (word) { return word[0].toUpperCase(); }).join('') || 'A';
  }

  async function start() {
    if (!window.WebChat) {
      fail('the chat component did not load');
      return;
    }
    site = Object.assign(site, await getJson('/api/site'));
    applySite();

    var session = await openSession();
    var directLineRef = { current: null };
    var directLine = window.WebChat.createDirectLine({ domain: domain, token: session.token, conversationId: session.conversationId });
    directLineRef.current = directLine;

    window.WebChat.renderWebChat({
      directLine: directLine,
      store: createStore(directLineRef),
      cardActionMiddleware: crisisTapTargets,
      activityMiddleware: activityMiddleware,
      avatarMiddleware: avatarMiddleware,
      groupActivitiesMiddleware: groupActivitiesMiddleware,
      locale: 'en-US',
      // The care team sees when the patient is typing (nothing typed is sent until Send).
      sendTypingIndicator: true,
      styleOptions: {
        accent: site.primaryColor,
        hideUploadButton: true,
        // Each bot message keeps its own status row, so the thumbs show on every answer.
        groupTimestamp: 0,
        botAvatarInitials: initials(site.clinicName),
        userAvatarInitials: 'You',
        bubbleBorderRadius: 8,
        bubbleFromUserBorderRadius: 8,
        bubbleFromUserBackground: '#e6f0f2',
        suggestedActionLayout: 'flow',
        suggestedActionBorderColor: site.primaryColor,
        suggestedActionTextColor: site.primaryColor,
        suggestedActionBorderRadius: 16,
        sendBoxButtonColor: site.primaryColor,
        rootHeight: '100%'
      }
    }, document.getElementById('webchat'));
  }

  start().catch(function (error) {
    fail(error && error.message);
  });
}());
